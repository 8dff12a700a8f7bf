/**
 * Deterministic synthetic data for demos, tests and benchmarks: persons with valid 公民身份号码
 * from real Zibo county codes, enterprises with valid 统一社会信用代码, addresses, phones and
 * dates. `invalidRate` is the share of records that carry one deliberately invalid value; the
 * record's `invalid` field names it, so tests know what a validator should find.
 */
import { Rng } from './random.js';
import { ricCheckChar } from '../ids/ric.js';
import { orgCodeCheckChar, usccCheckChar } from '../ids/uscc.js';

export const ZIBO_COUNTIES = [
  { code: '370302', name: '淄川区' },
  { code: '370303', name: '张店区' },
  { code: '370304', name: '博山区' },
  { code: '370305', name: '临淄区' },
  { code: '370306', name: '周村区' },
  { code: '370321', name: '桓台县' },
  { code: '370322', name: '高青县' },
  { code: '370323', name: '沂源县' },
] as const;

const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '赵',
  '黄',
  '周',
  '吴',
  '徐',
  '孙',
  '胡',
  '朱',
  '高',
  '林',
  '何',
  '郭',
  '马',
  '罗',
  '梁',
  '宋',
  '郑',
  '谢',
  '韩',
  '唐',
  '冯',
  '于',
  '董',
  '萧',
  '程',
  '曹',
  '袁',
  '邓',
  '许',
  '傅',
  '沈',
  '曾',
  '彭',
  '吕',
  '欧阳',
  '司马',
];
const GIVEN = [
  '伟',
  '芳',
  '娜',
  '秀英',
  '敏',
  '静',
  '丽',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '秀兰',
  '霞',
  '平',
  '刚',
  '桂英',
  '建华',
  '文',
  '华',
  '玉兰',
  '红',
  '鑫',
  '宇',
  '浩然',
  '子涵',
  '欣怡',
  '梓萱',
  '一诺',
  '思远',
  '博文',
  '雨桐',
  '俊杰',
  '淑珍',
];
const ROADS = [
  '柳泉路',
  '人民西路',
  '共青团路',
  '华光路',
  '联通路',
  '张周路',
  '新村西路',
  '金晶大道',
  '西五路',
  '中润大道',
  '北京路',
  '齐鲁大道',
  '鲁泰大道',
  '临淄大道',
  '正阳路',
];
const TRADE = [
  '齐鲁',
  '鲁中',
  '淄川',
  '博山',
  '临淄',
  '周村',
  '桓台',
  '高青',
  '沂源',
  '华光',
  '金晶',
  '泰山',
  '蓝海',
  '鼎盛',
  '新华',
  '恒信',
  '瑞丰',
  '宏达',
  '汇通',
  '中润',
];
const INDUSTRY = ['陶瓷', '化工', '机械', '纺织', '医药', '建材', '新材料', '电子', '物流', '食品', '科技', '商贸'];
const FORMS = ['有限公司', '股份有限公司', '有限责任公司'];
const MOBILE_PREFIX = [
  '130',
  '131',
  '132',
  '133',
  '135',
  '136',
  '137',
  '138',
  '139',
  '150',
  '151',
  '152',
  '155',
  '156',
  '157',
  '158',
  '159',
  '166',
  '176',
  '177',
  '178',
  '180',
  '181',
  '182',
  '183',
  '185',
  '186',
  '187',
  '188',
  '189',
  '191',
  '198',
  '199',
];

export interface Person {
  name: string;
  sex: '男' | '女';
  ric: string;
  birthDate: string;
  mobile: string;
  regionCode: string;
  address: string;
  email: string;
  /** the one field made invalid on purpose, if any */
  invalid: 'ric' | 'mobile' | 'birthDate' | null;
}

export interface Enterprise {
  name: string;
  uscc: string;
  legalRepresentative: string;
  legalRepresentativeRic: string;
  registeredCapital: number;
  establishedDate: string;
  regionCode: string;
  address: string;
  phone: string;
  industry: string;
  invalid: 'uscc' | 'establishedDate' | null;
}

export interface SynthOptions {
  seed?: number;
  /** share (0..1) of records with one invalid value */
  invalidRate?: number;
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

export class Synth {
  readonly rng: Rng;
  private readonly invalidRate: number;
  private seqByRegionDate = new Map<string, number>();

  constructor(opts: SynthOptions = {}) {
    this.rng = new Rng(opts.seed ?? 20260101);
    this.invalidRate = opts.invalidRate ?? 0;
  }

  date(fromYear: number, toYear: number): string {
    const y = this.rng.int(fromYear, toYear);
    const m = this.rng.int(1, 12);
    const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
    return `${y}-${pad(m, 2)}-${pad(this.rng.int(1, days), 2)}`;
  }

  name(): string {
    return this.rng.pick(SURNAMES) + this.rng.pick(GIVEN);
  }

  mobile(): string {
    return this.rng.pick(MOBILE_PREFIX) + this.rng.digits(8);
  }

  landline(): string {
    return `0533-${this.rng.int(2, 8)}${this.rng.digits(6)}`;
  }

  address(regionName: string): string {
    return `山东省淄博市${regionName}${this.rng.pick(ROADS)}${this.rng.int(1, 399)}号`;
  }

  /** A valid 公民身份号码 for a birth date and sex in a region. */
  ric(regionCode: string, birthDate: string, male: boolean): string {
    const key = regionCode + birthDate;
    let seq = this.seqByRegionDate.get(key) ?? this.rng.int(0, 40) * 2;
    seq += 1;
    if (seq % 2 !== (male ? 1 : 0)) seq += 1;
    this.seqByRegionDate.set(key, seq);
    const first17 = regionCode + birthDate.replace(/-/g, '') + pad(seq % 1000, 3);
    return first17 + ricCheckChar(first17);
  }

  /** A valid 统一社会信用代码 (enterprise: 9 1 …; government body: 1 1 …) whose organisation code is valid too. */
  uscc(regionCode: string, kind: 'enterprise' | 'government' = 'enterprise'): string {
    const org =
      (kind === 'government' ? '00' : String(this.rng.int(1, 9)) + String(this.rng.int(0, 9))) + this.rng.digits(6);
    const first17 = (kind === 'government' ? '11' : '91') + regionCode + org + orgCodeCheckChar(org);
    return first17 + usccCheckChar(first17);
  }

  person(): Person {
    const county = this.rng.pick(ZIBO_COUNTIES);
    const male = this.rng.chance(0.5);
    const birthDate = this.date(1940, 2020);
    const p: Person = {
      name: this.name(),
      sex: male ? '男' : '女',
      ric: this.ric(county.code, birthDate, male),
      birthDate,
      mobile: this.mobile(),
      regionCode: county.code,
      address: this.address(county.name),
      email: `u${this.rng.digits(8)}@example.cn`,
      invalid: null,
    };
    if (this.invalidRate > 0 && this.rng.chance(this.invalidRate)) {
      const what = this.rng.pick(['ric', 'mobile', 'birthDate'] as const);
      p.invalid = what;
      if (what === 'ric') p.ric = p.ric.slice(0, 17) + (p.ric[17] === '0' ? '1' : '0');
      if (what === 'mobile') p.mobile = `1${this.rng.int(0, 2)}${this.rng.digits(9)}`;
      if (what === 'birthDate') p.birthDate = `${p.birthDate.slice(0, 4)}-02-30`;
    }
    return p;
  }

  enterprise(): Enterprise {
    const county = this.rng.pick(ZIBO_COUNTIES);
    const rep = this.person();
    const e: Enterprise = {
      name: `淄博${this.rng.pick(TRADE)}${this.rng.pick(INDUSTRY)}${this.rng.pick(FORMS)}`,
      uscc: this.uscc(county.code),
      legalRepresentative: rep.name,
      legalRepresentativeRic:
        rep.invalid === 'ric' ? this.ric(rep.regionCode, rep.birthDate, rep.sex === '男') : rep.ric,
      registeredCapital: this.rng.int(10, 50000) * 10,
      establishedDate: this.date(1985, 2025),
      regionCode: county.code,
      address: this.address(county.name),
      phone: this.landline(),
      industry: this.rng.pick(INDUSTRY),
      invalid: null,
    };
    if (this.invalidRate > 0 && this.rng.chance(this.invalidRate)) {
      const what = this.rng.pick(['uscc', 'establishedDate'] as const);
      e.invalid = what;
      if (what === 'uscc') e.uscc = e.uscc.slice(0, 17) + (e.uscc[17] === 'A' ? 'B' : 'A');
      if (what === 'establishedDate') e.establishedDate = `${e.establishedDate.slice(0, 4)}-13-01`;
    }
    return e;
  }

  persons(n: number): Person[] {
    return Array.from({ length: n }, () => this.person());
  }

  enterprises(n: number): Enterprise[] {
    return Array.from({ length: n }, () => this.enterprise());
  }
}

/**
 * Pinyin for search: resource names are also indexed by the pinyin of their Han characters (from
 * pinyin-pro, which picks the reading by context: 银行 → yin hang), so `qiye` and its initials `qy`
 * find 企业, and a character typed wrong by a homophone (企页) still finds the name.
 * Tokens carry a prefix so they never meet words of Latin text: `py:qiye` is a pair of syllables,
 * `pi:qy` a pair of initials. ü is written v, as people type it.
 */
import { pinyin } from 'pinyin-pro';

/** The toneless syllables of Mandarin (pinyin-pro's readings of U+4E00–U+9FA5, without m, n, ng, hng). */
const SYLLABLES = new Set(
  `a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can cang cao ce cen ceng
  cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui chun chuo ci cong cou cu
  cuan cui cun cuo da dai dan dang dao de dei den deng di dia dian diao die ding diu dong dou du duan dui dun duo e
  ei en eng er fa fan fang fei fen feng fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan
  guang gui gun guo ha hai han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo ji jia jian
  jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke kei ken keng kong kou ku kua kuai kuan
  kuang kui kun kuo la lai lan lang lao le lei leng li lia lian liang liao lie lin ling liu lo long lou lu luan lun
  luo lv lve ma mai man mang mao me mei men meng mi mian miao mie min ming miu mo mou mu na nai nan nang nao ne nei
  nen neng ni nian niang niao nie nin ning niu nong nou nu nuan nuo nv nve o ou pa pai pan pang pao pei pen peng pi
  pian piao pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu quan que qun ran rang rao re ren
  reng ri rong rou ru rua ruan rui run ruo sa sai san sang sao se sen seng sha shai shan shang shao she shei shen
  sheng shi shou shu shua shuai shuan shuang shui shun shuo si song sou su suan sui sun suo ta tai tan tang tao te
  tei teng ti tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo wu xi xia xian xiang
  xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong you yu yuan yue yun za zai zan
  zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang
  zhui zhun zhuo zi zong zou zu zuan zui zun zuo`.split(/\s+/),
);
const LONGEST = 6;

/** The syllables of a run of Han characters, one per character. */
export function syllablesOf(han: string): string[] {
  return pinyin(han, { toneType: 'none', type: 'array' }).map((s) => s.replace(/ü/g, 'v'));
}

/** The index tokens of a name's Han runs: syllable pairs and initial pairs (a one-character run: its syllable). */
export function pinyinTokens(runs: string[]): string[] {
  const out = new Set<string>();
  for (const run of runs) {
    const s = syllablesOf(run);
    if (s.length === 1) out.add(`py:${s[0]}`);
    for (let i = 0; i + 1 < s.length; i++) {
      out.add(`py:${s[i]}${s[i + 1]}`);
      out.add(`pi:${s[i]![0]}${s[i + 1]![0]}`);
    }
  }
  return [...out];
}

/**
 * A Latin word read as pinyin: its syllables and what is left of an unfinished last one
 * (`qiyed` → qi ye + d). Null when the word is not pinyin. Longest syllable first, backtracking
 * where that leaves the rest unreadable (`xian` is xian, `xianggang` is xiang gang).
 */
export function parsePinyin(word: string): { syllables: string[]; rest: string } | null {
  const w = word.toLowerCase().replace(/ü/g, 'v');
  if (!/^[a-z]+$/.test(w)) return null;
  const walk = (at: number): { syllables: string[]; rest: string } | null => {
    if (at === w.length) return { syllables: [], rest: '' };
    for (let len = Math.min(LONGEST, w.length - at); len >= 1; len--) {
      const s = w.slice(at, at + len);
      if (!SYLLABLES.has(s)) continue;
      const next = walk(at + len);
      if (next) return { syllables: [s, ...next.syllables], rest: next.rest };
    }
    // an unfinished syllable at the end: the start of one
    const tail = w.slice(at);
    if (tail.length < LONGEST && [...SYLLABLES].some((s) => s.startsWith(tail))) return { syllables: [], rest: tail };
    return null;
  };
  const r = walk(0);
  return r && (r.syllables.length > 0 || r.rest.length > 0) ? r : null;
}

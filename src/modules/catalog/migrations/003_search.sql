-- Search that finds what officials type: a synonym and abbreviation dictionary (the bureau edits it),
-- the name's first-tier prefix index, and the tokens' version (entries of an older tokeniser are
-- rebuilt after migrating: catalog/reindex.ts).
CREATE TABLE catalog.synonym (
  id serial PRIMARY KEY,
  terms text[] NOT NULL CHECK (cardinality(terms) >= 2),
  note text NOT NULL DEFAULT '',
  updated_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE catalog.entry ADD COLUMN tokens_version smallint NOT NULL DEFAULT 1;
CREATE INDEX entry_name_prefix_idx ON catalog.entry (name text_pattern_ops);
-- when the published version last changed (CKAN's metadata_modified; published_at is the first publication)
ALTER TABLE catalog.entry ADD COLUMN modified_at timestamptz;
UPDATE catalog.entry e SET modified_at = coalesce(v.published_at, e.published_at)
  FROM catalog.resource_version v WHERE v.resource_id = e.resource_id AND v.version = e.version;
UPDATE catalog.entry SET modified_at = published_at WHERE modified_at IS NULL;
ALTER TABLE catalog.entry ALTER COLUMN modified_at SET NOT NULL;
CREATE INDEX entry_modified_idx ON catalog.entry (modified_at DESC, resource_id);
-- a narrow heap: the vectors and the summary are kept out of line, so counting the matches of a
-- query visits few pages (the text index answers without reading a vector)
ALTER TABLE catalog.entry SET (toast_tuple_target = 128);

-- common terms of government work: an abbreviation or everyday word, and the names resources use
INSERT INTO catalog.synonym (terms, note) VALUES
  ('{社保,社会保险,社会保障}', '简称'),
  ('{医保,医疗保障,医疗保险}', '简称'),
  ('{公积金,住房公积金}', '简称'),
  ('{营业执照,企业登记,市场主体登记}', '俗称'),
  ('{低保,最低生活保障}', '简称'),
  ('{身份证号,身份证号码,公民身份号码,身份证件号码}', '数据项'),
  ('{身份证,居民身份证}', '俗称'),
  ('{信用代码,统一社会信用代码}', '数据项'),
  ('{法人代表,法定代表人}', '俗称'),
  ('{户口,户籍}', '俗称'),
  ('{驾照,驾驶证,机动车驾驶人,驾驶人}', '俗称'),
  ('{车辆,机动车}', '俗称'),
  ('{房产,不动产,房屋}', '俗称'),
  ('{房产证,不动产权证书}', '俗称'),
  ('{学籍,学生}', '俗称'),
  ('{疫苗,预防接种}', '俗称'),
  ('{出生证,出生医学证明}', '简称'),
  ('{结婚,婚姻登记}', '俗称'),
  ('{失业金,失业保险金}', '简称'),
  ('{养老金,养老保险待遇}', '俗称'),
  ('{个体户,个体工商户}', '简称'),
  ('{残疾证,残疾人证}', '简称'),
  ('{网签,网签备案}', '简称'),
  ('{预售证,商品房预售许可}', '简称'),
  ('{施工证,施工许可}', '简称'),
  ('{公交,公共交通}', '简称'),
  ('{出租车,出租汽车}', '俗称'),
  ('{环保,生态环境}', '俗称'),
  ('{排污,污染物排放}', '俗称'),
  ('{空气质量,大气环境质量}', '俗称'),
  ('{行政处罚,处罚}', '简称'),
  ('{好差评,政务服务评价}', '简称'),
  ('{办件,政务服务事项办件}', '简称'),
  ('{电子证照,证照}', '简称'),
  ('{医师,医生}', '俗称'),
  ('{医院,医疗机构}', '俗称'),
  ('{健康档案,电子健康档案}', '简称'),
  ('{慢病,慢特病,门诊慢特病}', '简称'),
  ('{养老院,养老机构}', '俗称'),
  ('{殡仪,殡葬}', '俗称'),
  ('{培训机构,校外培训机构}', '简称'),
  ('{教师证,教师资格证书}', '简称'),
  ('{职业资格,职业技能等级}', '俗称'),
  ('{劳动仲裁,劳动人事争议仲裁}', '简称'),
  ('{土地出让,国有建设用地使用权出让}', '俗称'),
  ('{地名,标准地名}', '俗称'),
  ('{工商,市场监管}', '旧称'),
  ('{经营异常,经营异常名录}', '简称'),
  ('{食品许可,食品经营许可}', '简称'),
  ('{药店,药品经营许可,药品零售}', '俗称'),
  ('{特困,特困人员}', '简称'),
  ('{就业,就业登记}', '简称'),
  ('{物业,物业服务}', '简称'),
  ('{资质,建筑业企业资质}', '简称'),
  ('{交通事故,道路交通事故}', '简称');

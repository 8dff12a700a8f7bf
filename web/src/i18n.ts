/** zh-CN by default, en-US second (loaded when chosen, not in the first download); the choice is remembered in localStorage. */
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import zh from './locales/zh-CN';
import { setApiLanguage } from './api/client';

export type Lang = 'zh-CN' | 'en-US';
const KEY = 'gongshu.lang';

export function storedLang(): Lang {
  return localStorage.getItem(KEY) === 'en-US' ? 'en-US' : 'zh-CN';
}

function apply(lang: Lang) {
  dayjs.locale(lang === 'zh-CN' ? 'zh-cn' : 'en');
  setApiLanguage(lang);
  document.documentElement.lang = lang;
}

const initial = storedLang();
apply('zh-CN');
void i18n.use(initReactI18next).init({
  resources: { 'zh-CN': { translation: zh } },
  lng: 'zh-CN',
  fallbackLng: 'zh-CN',
  interpolation: { escapeValue: false },
});
if (initial === 'en-US') void setLang('en-US');

export async function setLang(lang: Lang) {
  localStorage.setItem(KEY, lang);
  if (lang === 'en-US' && !i18n.hasResourceBundle('en-US', 'translation')) {
    i18n.addResourceBundle('en-US', 'translation', (await import('./locales/en-US')).default);
  }
  apply(lang);
  await i18n.changeLanguage(lang);
}

/** Dates and numbers in the user's locale. */
export function fmtDateTime(iso: string | null | undefined, lang: string): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Shanghai' }).format(
    new Date(iso),
  );
}
export function fmtNumber(n: number, lang: string): string {
  return new Intl.NumberFormat(lang).format(n);
}

export default i18n;

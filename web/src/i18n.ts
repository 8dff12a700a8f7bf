/** zh-CN by default, en-US second; the choice is remembered in localStorage. */
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import zh from './locales/zh-CN';
import en from './locales/en-US';
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
apply(initial);
void i18n.use(initReactI18next).init({
  resources: { 'zh-CN': { translation: zh }, 'en-US': { translation: en } },
  lng: initial,
  fallbackLng: 'zh-CN',
  interpolation: { escapeValue: false },
});

export async function setLang(lang: Lang) {
  localStorage.setItem(KEY, lang);
  apply(lang);
  await i18n.changeLanguage(lang);
}

/** Dates and numbers in the user's locale. */
export function fmtDateTime(iso: string | null | undefined, lang: string): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Shanghai' }).format(new Date(iso));
}
export function fmtNumber(n: number, lang: string): string {
  return new Intl.NumberFormat(lang).format(n);
}

export default i18n;

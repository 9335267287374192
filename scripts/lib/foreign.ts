/**
 * Real words in non-Latin scripts, so that substring search is exercised on Cyrillic, CJK, Greek,
 * Arabic and Devanagari text. Sentences are word salad in the right script: what matters for the
 * database is the script, the word boundaries (none in Chinese and Japanese) and the frequencies.
 */
import type { Rng } from './prng';

export type LanguageCode = 'en' | 'ru' | 'zh' | 'ja' | 'el' | 'ar' | 'hi';

export interface Language {
  code: Exclude<LanguageCode, 'en'>;
  /** Content words, most frequent first. */
  words: string[];
  /** Function words mixed in between content words. */
  glue: string[];
  separator: string;
  stop: string;
  question: string;
  capitalize: boolean;
}

const list = (text: string) => text.trim().split(/\s+/);

export const LANGUAGES: Record<Language['code'], Language> = {
  ru: {
    code: 'ru',
    words: list(`запрос база данных индекс таблица сервер ошибка пользователь приложение функция время работа
      проблема решение код файл система сеть память скорость результат поиск строка значение программа
      компьютер вопрос ответ пример город поезд гостиница рецепт суп хлеб музыка книга вечер утро неделя
      друг семья путешествие билет море горы работает нужно можно использовать найти создать удалить
      обновить проверить запустить понять помочь показать быстрый медленный новый старый хороший большой
      простой сложный важный репликация транзакция миграция`),
    glue: list('и в на с не как что это для по но почему когда где очень уже ещё так мне меня если'),
    separator: ' ',
    stop: '.',
    question: '?',
    capitalize: true,
  },
  zh: {
    code: 'zh',
    words: list(`数据库 查询 索引 服务器 错误 用户 应用 函数 时间 工作 问题 答案 例子 解决 代码 文件 系统 网络
      内存 速度 结果 数据 搜索 程序 电脑 城市 火车 酒店 菜谱 米饭 面条 音乐 朋友 旅行 北京 上海 学习 使用
      创建 删除 更新 检查 运行 需要 可以 如何 为什么 非常 慢 快 新 事务 迁移 复制`),
    glue: list('的 了 是 我 你 我们 这个 那个 在 有 和 也 就 都 吗'),
    separator: '',
    stop: '。',
    question: '？',
    capitalize: false,
  },
  ja: {
    code: 'ja',
    words: list(`データベース クエリ インデックス サーバー エラー ユーザー アプリ 関数 時間 仕事 問題 解決 コード
      ファイル システム ネットワーク メモリ 速度 結果 検索 東京 京都 大阪 電車 ホテル 料理 ラーメン 寿司 音楽
      質問 答え 例 旅行 友達 使う 作る 消す 調べる 動く 遅い 速い 新しい 設定 更新 トランザクション 移行`),
    glue: list('は が を に で と の も です ます ください から まで'),
    separator: '',
    stop: '。',
    question: '？',
    capitalize: false,
  },
  el: {
    code: 'el',
    words: list(`βάση δεδομένων ερώτημα ευρετήριο διακομιστής σφάλμα χρήστης εφαρμογή συνάρτηση χρόνος δουλειά
      πόλη τρένο ξενοδοχείο συνταγή ψωμί μουσική βιβλίο ερώτηση απάντηση παράδειγμα πρόβλημα λύση κώδικας
      αρχείο σύστημα δίκτυο μνήμη ταχύτητα αποτέλεσμα αναζήτηση θάλασσα νησί Αθήνα ταξίδι φίλος αργό
      γρήγορο νέο χρησιμοποιώ δημιουργώ ελέγχω τρέχει`),
    glue: list('και το η ο με για στο δεν είναι πώς γιατί πολύ αλλά αν'),
    separator: ' ',
    stop: '.',
    question: ';',
    capitalize: true,
  },
  ar: {
    code: 'ar',
    words: list(`قاعدة البيانات استعلام فهرس خادم خطأ مستخدم تطبيق دالة وقت عمل مدينة قطار فندق وصفة خبز موسيقى
      كتاب سؤال جواب مثال مشكلة حل كود ملف نظام شبكة ذاكرة سرعة نتيجة بحث سفر صديق القاهرة دبي بطيء سريع
      جديد أستخدم أريد يعمل`),
    glue: list('في من على إلى مع هذا كيف لماذا جدا لا هل و'),
    separator: ' ',
    stop: '.',
    question: '؟',
    capitalize: false,
  },
  hi: {
    code: 'hi',
    words: list(`डेटाबेस क्वेरी सर्वर त्रुटि उपयोगकर्ता ऐप फ़ंक्शन समय काम शहर ट्रेन होटल रेसिपी रोटी दाल संगीत किताब
      सवाल जवाब उदाहरण समस्या समाधान कोड फ़ाइल सिस्टम नेटवर्क मेमोरी गति परिणाम खोज यात्रा दोस्त दिल्ली मुंबई
      धीमा तेज़ नया करना चाहिए सकते उपयोग`),
    glue: list('और में से को का की के है हैं यह कैसे क्यों बहुत नहीं'),
    separator: ' ',
    stop: '।',
    question: '?',
    capitalize: false,
  },
};

/** Share of non-English sessions by language. */
export const LANGUAGE_WEIGHTS: (readonly [Language['code'], number])[] = [
  ['ru', 35],
  ['zh', 20],
  ['ja', 20],
  ['el', 8],
  ['ar', 9],
  ['hi', 8],
];

export function foreignSentence(rng: Rng, lang: Language, question: boolean): string {
  const count = rng.int(4, 13);
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    parts.push(i > 0 && rng.chance(0.35) ? rng.pick(lang.glue) : rng.zipf(lang.words, 0.9));
  }
  // Chat in any language borrows product names in Latin script.
  if (rng.chance(0.12)) parts.splice(rng.int(0, parts.length), 0, rng.pick(['PostgreSQL', 'React', 'Docker', 'API', 'JSON']));
  let text = parts.join(lang.separator);
  if (lang.capitalize) text = text.charAt(0).toUpperCase() + text.slice(1);
  return text + (question ? lang.question : lang.stop);
}

export function foreignTitle(rng: Rng, lang: Language): string {
  const parts = [rng.zipf(lang.words, 0.9), rng.zipf(lang.words, 0.9)];
  if (rng.chance(0.5)) parts.push(rng.zipf(lang.words, 0.9));
  const title = parts.join(lang.separator);
  return lang.capitalize ? title.charAt(0).toUpperCase() + title.slice(1) : title;
}

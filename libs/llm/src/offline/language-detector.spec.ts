import { describe, expect, it } from 'vitest';
import { detectLanguage } from './language-detector';

describe('detectLanguage', () => {
  it.each([
    ['en', 'Can you help me write an email to my manager about the project deadline?'],
    [
      'fr',
      "Je voudrais savoir comment réserver une chambre d'hôtel pour le week-end, s'il vous plaît.",
    ],
    ['es', '¿Puedes ayudarme a escribir un correo para mi jefe sobre el proyecto? Gracias.'],
    ['de', 'Ich möchte wissen, wie ich mein Passwort ändern kann. Können Sie mir bitte helfen?'],
    ['it', 'Vorrei sapere come posso cambiare la mia password. Grazie per il tuo aiuto.'],
    ['pt', 'Eu preciso de ajuda para escrever um email para o meu chefe. Você pode me ajudar?'],
    ['nl', 'Ik wil graag weten hoe ik mijn wachtwoord kan wijzigen. Kunt u mij helpen?'],
    ['sv', 'Jag vill veta hur jag kan ändra mitt lösenord. Kan du hjälpa mig med det?'],
    ['pl', 'Chcę wiedzieć, jak mogę zmienić hasło. Czy możesz mi pomóc? Dziękuję bardzo.'],
    ['tr', 'Şifremi nasıl değiştirebilirim? Bana yardım eder misin lütfen, teşekkürler.'],
  ])('detects %s from stop words', (expected, text) => {
    expect(detectLanguage(text).language).toBe(expected);
  });

  it.each([
    ['zh', '请帮我写一封给经理的电子邮件，说明项目的截止日期。'],
    ['ja', 'プロジェクトの締め切りについて、マネージャーにメールを書いてください。'],
    ['ko', '프로젝트 마감일에 대해 매니저에게 이메일을 써 주세요.'],
    ['ru', 'Помогите мне написать письмо руководителю о сроках проекта.'],
    ['uk', 'Допоможіть мені написати лист керівнику про терміни проєкту.'],
    ['ar', 'ساعدني في كتابة رسالة إلى مديري حول الموعد النهائي للمشروع.'],
    ['hi', 'कृपया परियोजना की समय सीमा के बारे में मेरे प्रबंधक को ईमेल लिखने में मदद करें।'],
    ['el', 'Βοήθησέ με να γράψω ένα email στον διευθυντή μου για την προθεσμία.'],
    ['he', 'עזור לי לכתוב מייל למנהל שלי על המועד האחרון של הפרויקט.'],
    ['th', 'ช่วยเขียนอีเมลถึงผู้จัดการเกี่ยวกับกำหนดส่งโครงการ'],
  ])('detects %s from the script', (expected, text) => {
    const guess = detectLanguage(text);
    expect(guess.language).toBe(expected);
    expect(guess.confidence).toBeGreaterThan(0.6);
  });

  it('says it is unsure when it cannot tell', () => {
    expect(detectLanguage('zqx vrt plok 12345').confidence).toBeLessThan(0.6);
    // Too short for trigrams: the stop-word fallback, English with a low confidence.
    expect(detectLanguage('zqx vrt')).toEqual({ language: 'en', confidence: 0.3 });
  });

  it.each([
    ['da', 'Jeg vil gerne vide, hvordan jeg ændrer min adgangskode. Kan du hjælpe mig med det?'],
    ['fi', 'Haluaisin tietää, miten voin vaihtaa salasanani. Voitko auttaa minua, kiitos?'],
    ['cs', 'Chtěl bych vědět, jak si mohu změnit heslo. Můžete mi prosím pomoci?'],
    ['ro', 'Aș dori să știu cum îmi pot schimba parola. Mă puteți ajuta, vă rog?'],
  ])('detects %s, which the stop-word lists never covered', (expected, text) => {
    expect(detectLanguage(text).language).toBe(expected);
  });

  it('tells Persian from Arabic in the same script', () => {
    expect(
      detectLanguage('لطفا به من کمک کنید یک ایمیل به مدیرم درباره مهلت پروژه بنویسم').language,
    ).toBe('fa');
    expect(
      detectLanguage('ساعدني في كتابة رسالة إلى مديري حول الموعد النهائي للمشروع').language,
    ).toBe('ar');
  });

  it('is more confident on clear English than on the fallback', () => {
    expect(
      detectLanguage('What is the best way to learn the basics of statistics?').confidence,
    ).toBeGreaterThan(0.5);
  });
});

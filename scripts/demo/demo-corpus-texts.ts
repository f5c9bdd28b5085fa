/**
 * Text written by this project for the demo corpus (everything else in it is public data, see
 * apps/cli/demo-corpus/ATTRIBUTION.md). Kept apart so that what we wrote is easy to find:
 *
 *  - SUPPORT_ANSWERS: banking77 has customer questions but no answers; the support team's
 *    assistant answers each from a short help-centre note per group of intents (a fictional
 *    payments company, "the app");
 *  - failure turns: a plainly worded follow-up a person writes when an answer did not help
 *    (correction, pasted error, giving up), and an assistant's refusal;
 *  - NON_ENGLISH: short work conversations in German and French (teams abroad) and in Spanish,
 *    Italian, Dutch and Portuguese (two people each, below the thresholds), because every public
 *    conversation set we have is English.
 */

/** banking77 intent → help-centre group. Every intent of banking77 appears once. */
export const SUPPORT_GROUP_BY_INTENT: Readonly<Record<string, string>> = {
  card_arrival: 'card-delivery',
  card_delivery_estimate: 'card-delivery',
  get_physical_card: 'card-delivery',
  order_physical_card: 'card-delivery',
  getting_spare_card: 'card-delivery',
  card_about_to_expire: 'card-delivery',
  activate_my_card: 'card-activation',
  card_linking: 'card-activation',
  card_not_working: 'card-not-working',
  contactless_not_working: 'card-not-working',
  virtual_card_not_working: 'card-not-working',
  card_acceptance: 'card-not-working',
  declined_card_payment: 'card-not-working',
  lost_or_stolen_card: 'lost-card',
  compromised_card: 'lost-card',
  lost_or_stolen_phone: 'lost-card',
  card_swallowed: 'lost-card',
  pin_blocked: 'pin',
  change_pin: 'pin',
  passcode_forgotten: 'pin',
  exchange_rate: 'exchange',
  card_payment_wrong_exchange_rate: 'exchange',
  wrong_exchange_rate_for_cash_withdrawal: 'exchange',
  exchange_via_app: 'exchange',
  exchange_charge: 'exchange',
  fiat_currency_support: 'exchange',
  supported_cards_and_currencies: 'exchange',
  visa_or_mastercard: 'exchange',
  country_support: 'exchange',
  card_payment_fee_charged: 'fees',
  extra_charge_on_statement: 'fees',
  transfer_fee_charged: 'fees',
  top_up_by_bank_transfer_charge: 'fees',
  top_up_by_card_charge: 'fees',
  cash_withdrawal_charge: 'fees',
  atm_support: 'fees',
  automatic_top_up: 'top-up',
  top_up_limits: 'top-up',
  topping_up_by_card: 'top-up',
  top_up_by_cash_or_cheque: 'top-up',
  verify_top_up: 'top-up',
  pending_top_up: 'top-up',
  top_up_reverted: 'top-up',
  top_up_failed: 'top-up',
  pending_transfer: 'transfers',
  transfer_not_received_by_recipient: 'transfers',
  declined_transfer: 'transfers',
  failed_transfer: 'transfers',
  transfer_timing: 'transfers',
  cancel_transfer: 'transfers',
  beneficiary_not_allowed: 'transfers',
  balance_not_updated_after_bank_transfer: 'transfers',
  transfer_into_account: 'transfers',
  receiving_money: 'transfers',
  pending_cash_withdrawal: 'cash',
  wrong_amount_of_cash_received: 'cash',
  declined_cash_withdrawal: 'cash',
  cash_withdrawal_not_recognised: 'cash',
  balance_not_updated_after_cheque_or_cash_deposit: 'cash',
  card_payment_not_recognised: 'disputes',
  direct_debit_payment_not_recognised: 'disputes',
  transaction_charged_twice: 'disputes',
  request_refund: 'disputes',
  Refund_not_showing_up: 'disputes',
  'reverted_card_payment?': 'disputes',
  pending_card_payment: 'disputes',
  why_verify_identity: 'identity',
  unable_to_verify_identity: 'identity',
  verify_my_identity: 'identity',
  verify_source_of_funds: 'identity',
  age_limit: 'identity',
  edit_personal_details: 'identity',
  getting_virtual_card: 'virtual-card',
  get_disposable_virtual_card: 'virtual-card',
  disposable_card_limits: 'virtual-card',
  apple_pay_or_google_pay: 'virtual-card',
  terminate_account: 'account',
};

/** The help-centre note the assistant answers with, per group. */
export const SUPPORT_ANSWERS: Readonly<Record<string, string>> = {
  'card-delivery':
    'Physical cards, new or replacement, are usually delivered within 5 working days in the UK and up to 10 working days elsewhere. The customer can order a physical card or a spare card, and follow the delivery, in the app under Card > Track delivery. A card about to expire is replaced automatically a month before. If nothing has arrived after 10 working days, they can cancel the card in the app and order a replacement free of charge.',
  'card-activation':
    'To activate a card, the customer opens the app, goes to Card > Activate and enters the 6-digit code printed on the letter that came with the card. The card can then be linked to other apps or wallets from the same screen.',
  'card-not-working':
    'First check in the app that the card is not frozen and that the payment type (online, contactless, ATM) is switched on under Card > Security. A decline from the merchant can also mean the merchant does not accept the card network. If everything is switched on and payments still fail, the customer can order a replacement card from the app.',
  'lost-card':
    'If a card is lost, stolen or compromised, the customer should freeze it in the app straight away (Card > Freeze), then report it from the same screen, which cancels it and orders a new one. If their phone was lost or stolen and they cannot reach the app, they can call the 24/7 line printed on our website, or sign in from another device. An ATM that kept the card counts as lost. Payments they did not make can be disputed once the card is cancelled.',
  pin: 'A blocked PIN can be unblocked at any ATM that offers PIN services, after the correct PIN is entered once. The customer can view or change their PIN in the app under Card > Show PIN. A forgotten app passcode (or password) is reset from the sign-in screen with "Forgot passcode", which sends a reset link to the registered e-mail.',
  exchange:
    'Card payments and cash withdrawals in another currency use the Visa or Mastercard network exchange rate of the day the payment settles, with no mark-up on weekdays and 0.5% at weekends, so the rate can differ from the one seen at the time of payment. Customers can also exchange money between currencies inside the app at the live rate shown before confirming. We issue both Visa and Mastercard cards; the list of supported currencies and countries is in the app under Help > Currencies.',
  fees: 'Standard accounts have no fee for card payments or for receiving money. Transfers in GBP and EUR are free; SWIFT transfers in other currencies cost a fixed charge shown before sending. Top-ups by bank transfer are free, top-ups by card from outside the EEA cost 1.5%. ATM cash withdrawals are free up to the monthly allowance, then 2%, and some ATM operators add their own charge. Every fee or extra charge on the statement is shown in the transaction details in the app with its reason, so the customer can check which rule applied.',
  'top-up':
    'Top-ups by card arrive instantly; top-ups by bank transfer take 1 to 3 working days. We do not accept cash or cheques for top-ups. Automatic top-up can be switched on under Account > Top up > Auto. A first top-up by card may need a verification code from the card statement. If a top-up failed or was reverted, the money goes back to the card it came from within 5 working days. The monthly top-up limit depends on the plan and is shown on the same screen.',
  transfers:
    'Transfers to UK accounts usually arrive within 2 hours, SEPA transfers within 1 working day and international transfers within 3 to 5 working days; money received shows in the balance as soon as it arrives. The status is shown in the app under the transfer. A declined or failed transfer is refunded to the balance automatically; some beneficiaries are not allowed for legal reasons. If the details were wrong, the customer can cancel the transfer while it is still pending.',
  cash: 'A cash withdrawal shows as pending until the ATM operator confirms it, usually within 2 working days. A declined withdrawal is usually a limit or a wrong PIN. If the ATM gave out less cash than requested, or the customer does not recognise a withdrawal, they can raise a dispute from the transaction in the app; we refund the difference once the operator confirms it. Cash or cheque deposits are not supported, so they never update the balance.',
  disputes:
    'If the customer does not recognise a payment or a direct debit, they should first check the merchant name in the transaction details, as it often differs from the shop name. If it is still unknown, or they were charged twice, they can dispute it from the transaction in the app. A refund from a merchant takes up to 10 working days to appear; to request a refund, the customer contacts the merchant first. A pending or reverted payment disappears if the merchant does not claim it within 7 days.',
  identity:
    'We verify identity, and sometimes the source of funds, to meet anti-money-laundering rules. The customer uploads a photo ID and a selfie in the app under Account > Verify; for the source of funds, a payslip or bank statement. Verification usually takes a few minutes and at most 24 hours. Customers must be 18 or older. Personal details can be changed under Account > Personal details; a change of legal name needs a new ID check.',
  'virtual-card':
    'Virtual cards are created instantly in the app under Card > Add > Virtual. Disposable virtual cards change their number after each payment. Both can be added to Apple Pay or Google Pay from the card screen, and they have the same limits as the physical card.',
  account:
    'The customer can close their account in the app under Account > Close account, after moving out any remaining balance. Closing the account cancels all cards and scheduled payments. We keep the records we are legally required to keep for 5 years.',
};

/**
 * Support follow-ups when the note did not answer the case, per group where we add them. Each is
 * followed by the assistant's short apology (or nothing: the agent left).
 */
export const SUPPORT_FAILURE_TURNS: Readonly<Record<string, readonly string[]>> = {
  transfers: [
    "That's not right, the transfer has been pending for over a week and the customer already checked the details. What else can they do?",
    "That doesn't answer it. The customer wants to know why the transfer was declined, not how long transfers take.",
    'This still does not help. The recipient says nothing arrived and the app shows the transfer as completed.',
    'No, that is not what I asked. I need to know if we can trace a transfer that left the account three days ago.',
    "Never mind, I'll ask the payments team.",
  ],
  identity: [
    'No, the customer already uploaded their passport twice and it keeps getting rejected. Your answer is not helpful.',
    'That is not what I asked. I need to know which documents we accept from customers outside the EU.',
    "That's wrong, the verification has been stuck for three days, not a few minutes. What do I tell them?",
    'Forget it, this is the same answer as last time.',
  ],
  disputes: [
    "That's not correct, the customer was charged twice by the same merchant and the second payment is not pending.",
    'That does not help, the refund was issued two weeks ago and it still is not showing up.',
  ],
};

/** The assistant's answer to a support follow-up that it cannot resolve. */
export const SUPPORT_FAILURE_REPLIES: readonly string[] = [
  "I'm sorry, I don't have more information about this case. You could escalate it to the payments team.",
  'I apologize for the confusion. I can only see the help-centre notes, which do not cover this situation.',
];

/** Errors pasted back by an engineer whose code still fails, by the language the thread is in. */
export const PASTED_ERRORS: Readonly<Record<'python' | 'javascript' | 'other', readonly string[]>> =
  {
    python: [
      "I tried this and it still doesn't work. I get this error:\n\nTraceback (most recent call last):\n  File \"main.py\", line 14, in <module>\n    result = parse(rows)\nTypeError: 'NoneType' object is not subscriptable",
      'Still not working:\n\nTraceback (most recent call last):\n  File "report.py", line 9, in <module>\n    import pandas as pd\nModuleNotFoundError: No module named \'pandas\'',
      "That's wrong, it fails on the first line:\n\n  File \"script.py\", line 3\n    for item in items\n                    ^\nSyntaxError: expected ':'",
    ],
    javascript: [
      "This doesn't work, the page shows a blank screen and the console says:\n\nUncaught TypeError: Cannot read properties of undefined (reading 'map')\n    at render (index.js:23:18)",
      'Still getting an error when I run it:\n\nReferenceError: fetchData is not defined\n    at main (app.js:12:5)\n    at node:internal/main/run_main_module:28:49',
    ],
    other: [
      'I tried your answer and it still fails with the same error:\n\nerror: command exited with code 1\nfatal: not a git repository (or any of the parent directories): .git',
      "It doesn't work. The build stops with:\n\nerror: linker `cc` not found\n  = note: No such file or directory (os error 2)",
      'That did not fix it. I still get:\n\nError: connect ECONNREFUSED 127.0.0.1:5432\n    at TCPConnectWrap.afterConnect [as oncomplete]',
    ],
  };

/** Refusals written for creative or speculative prompts the assistant should have answered. */
export const REFUSALS: readonly string[] = [
  "I'm sorry, but I can't help with that request.",
  "I'm sorry, I can't take on that role.",
  'As an AI language model, I cannot speculate about that.',
  "I'm not able to help with role-play requests.",
  "I'm sorry, but I cannot provide an estimate for that.",
];

/** A user reply to a refusal (some users say nothing and leave). */
export const REFUSAL_FOLLOW_UPS: readonly string[] = [
  'Why not? It is for a marketing workshop, nothing harmful.',
  'Come on, this is a normal creative exercise.',
  'Seriously? This is for our team newsletter.',
];

export interface WrittenConversation {
  readonly language: 'de' | 'fr' | 'es' | 'it' | 'nl' | 'pt';
  readonly topic: 'writing' | 'support' | 'numbers' | 'travel';
  /** How many people ask it (each copy gets its own id). */
  readonly copies: number;
  readonly messages: readonly { role: 'user' | 'assistant'; content: string }[];
}

const u = (content: string) => ({ role: 'user' as const, content });
const a = (content: string) => ({ role: 'assistant' as const, content });

export const NON_ENGLISH: readonly WrittenConversation[] = [
  // German: the sales team's DACH office drafts and tidies customer e-mails.
  {
    language: 'de',
    topic: 'writing',
    copies: 4,
    messages: [
      u(
        'Kannst du mir helfen, eine kurze E-Mail an einen Kunden zu schreiben? Wir verschieben das Meeting von Dienstag auf Donnerstag um 10 Uhr.',
      ),
      a(
        'Gerne, hier ein Vorschlag:\n\nBetreff: Neuer Termin für unser Gespräch\n\nGuten Tag,\n\nleider müssen wir unser Meeting am Dienstag verschieben. Würde Ihnen Donnerstag um 10 Uhr passen? Die Tagesordnung bleibt unverändert.\n\nVielen Dank für Ihr Verständnis und freundliche Grüße',
      ),
      u('Perfekt, danke!'),
    ],
  },
  {
    language: 'de',
    topic: 'writing',
    copies: 4,
    messages: [
      u(
        'Fasse bitte die wichtigsten Punkte aus meinen Notizen zusammen: Der Kunde möchte einen Rabatt für 200 Lizenzen, die Entscheidung fällt bis Ende des Quartals, und der Einkauf prüft noch die Fragen zum Datenschutz.',
      ),
      a(
        'Zusammenfassung:\n- Der Kunde fragt nach einem Rabatt für 200 Lizenzen.\n- Die Entscheidung soll bis zum Quartalsende fallen.\n- Der Einkauf prüft noch offene Fragen zum Datenschutz.',
      ),
    ],
  },
  {
    language: 'de',
    topic: 'writing',
    copies: 4,
    messages: [
      u('Wie formuliere ich höflich, dass unser Angebot nur noch bis Freitag gilt?'),
      a(
        'Zum Beispiel so: „Gerne möchten wir Sie darauf hinweisen, dass unser Angebot bis einschließlich Freitag gültig ist. Bei Fragen sind wir jederzeit für Sie da.“',
      ),
      u('Danke, das nehme ich.'),
    ],
  },
  {
    language: 'de',
    topic: 'writing',
    copies: 3,
    messages: [
      u(
        'Übersetze bitte ins Englische: Vielen Dank für das angenehme Gespräch heute, ich schicke Ihnen die Unterlagen bis morgen.',
      ),
      a(
        'Thank you for the pleasant conversation today; I will send you the documents by tomorrow.',
      ),
      u('Danke dir.'),
    ],
  },
  {
    language: 'de',
    topic: 'writing',
    copies: 4,
    messages: [
      u('Welche Argumente kann ich nennen, wenn ein Kunde sagt, dass unser Produkt zu teuer ist?'),
      a(
        'Einige Ansätze:\n1. Den Nutzen in Zahlen zeigen: gesparte Zeit und geringere Gebühren pro Monat.\n2. Die Gesamtkosten vergleichen, nicht nur den Listenpreis.\n3. Auf kurze Einrichtung und Support ohne Aufpreis hinweisen.\n4. Ein kleineres Paket zum Einstieg anbieten.',
      ),
    ],
  },
  {
    language: 'de',
    topic: 'writing',
    copies: 3,
    messages: [
      u('Ich brauche eine Einladung zu einem Webinar über Zahlungsabwicklung für kleine Händler.'),
      a(
        'Betreff: Einladung: Zahlungen einfach abwickeln – Webinar für kleine Händler\n\nLiebe Händlerinnen und Händler,\n\nin 45 Minuten zeigen wir, wie Sie Kartenzahlungen, Rückerstattungen und Auszahlungen ohne Aufwand verwalten. Im Anschluss beantworten wir Ihre Fragen.\n\nWir freuen uns auf Sie!',
      ),
      u('Kannst du es etwas kürzer machen?'),
      a(
        'Betreff: Webinar: Zahlungen einfach abwickeln\n\nIn 45 Minuten zeigen wir Ihnen, wie Sie Zahlungen und Rückerstattungen ohne Aufwand verwalten. Wir freuen uns auf Sie!',
      ),
      u('Super, danke.'),
    ],
  },
  {
    language: 'de',
    topic: 'writing',
    copies: 4,
    messages: [
      u(
        'Wie schreibe ich eine Nachfass-E-Mail nach einer Produktdemo, ohne aufdringlich zu wirken?',
      ),
      a(
        'Halten Sie sie kurz: Bedanken Sie sich für die Zeit, nennen Sie einen Punkt aus der Demo, der dem Kunden wichtig war, und schlagen Sie einen konkreten nächsten Schritt vor, etwa ein kurzes Telefonat in der kommenden Woche. Verzichten Sie auf Druck durch Fristen.',
      ),
    ],
  },
  {
    language: 'de',
    topic: 'writing',
    copies: 3,
    messages: [
      u(
        'Korrigiere bitte die Grammatik: Wir freuen uns ihnen mitteilen zu können das die neue Version ab sofort verfügbar ist.',
      ),
      a(
        'Korrigiert: „Wir freuen uns, Ihnen mitteilen zu können, dass die neue Version ab sofort verfügbar ist.“ Es fehlten zwei Kommas, „Ihnen“ wird in der Anrede großgeschrieben, und „dass“ schreibt man hier mit ss.',
      ),
      u('Danke!'),
    ],
  },
  {
    language: 'de',
    topic: 'writing',
    copies: 3,
    messages: [
      u('Gib mir drei Ideen für den Betreff unseres Newsletters im März.'),
      a(
        '1. „Frühlingsputz für Ihre Finanzen: drei neue Funktionen“\n2. „Neu im März: schneller bezahlt werden“\n3. „Was unsere Kunden im Februar am meisten gefragt haben“',
      ),
    ],
  },
  {
    language: 'de',
    topic: 'writing',
    copies: 3,
    messages: [
      u('Was ist der Unterschied zwischen Netto- und Bruttopreis in einem Angebot?'),
      a(
        'Der Nettopreis ist der Preis ohne Umsatzsteuer, der Bruttopreis enthält sie. In Deutschland kommen bei den meisten Leistungen 19 % hinzu: Aus 1.000 € netto werden 1.190 € brutto. Im Geschäftskundenbereich nennt man meist den Nettopreis.',
      ),
    ],
  },
  {
    language: 'de',
    topic: 'writing',
    copies: 3,
    messages: [
      u(
        'Formuliere eine freundliche Absage an einen Interessenten, dessen Unternehmen zu klein für unser Enterprise-Paket ist.',
      ),
      a(
        'Vielen Dank für Ihr Interesse an unserem Enterprise-Paket. Für Unternehmen Ihrer Größe ist unser Business-Paket die bessere Wahl: Es enthält alle wichtigen Funktionen zu einem deutlich niedrigeren Preis. Gerne zeige ich es Ihnen in einem kurzen Termin.',
      ),
    ],
  },
  // French: support agents in the Lyon office answer customers.
  {
    language: 'fr',
    topic: 'support',
    copies: 4,
    messages: [
      u(
        'Un client demande pourquoi sa carte a été refusée chez un commerçant. Que puis-je lui répondre ?',
      ),
      a(
        "Vous pouvez lui proposer de vérifier dans l'application que la carte n'est pas gelée et que les paiements en ligne ou sans contact sont activés. Si tout est activé, le refus peut venir du commerçant, qui n'accepte peut-être pas ce réseau de cartes.",
      ),
      u('Merci beaucoup.'),
    ],
  },
  {
    language: 'fr',
    topic: 'support',
    copies: 4,
    messages: [
      u(
        'Peux-tu rédiger une réponse polie à un client qui attend son remboursement depuis dix jours ?',
      ),
      a(
        "Bonjour,\n\nNous comprenons votre attente et nous vous prions de nous en excuser. Les remboursements des commerçants peuvent prendre jusqu'à dix jours ouvrés. Si le montant n'apparaît pas d'ici trois jours, répondez à ce message et nous ouvrirons une réclamation auprès du commerçant.\n\nBien cordialement",
      ),
    ],
  },
  {
    language: 'fr',
    topic: 'support',
    copies: 3,
    messages: [
      u(
        'Comment expliquer simplement la différence entre un virement instantané et un virement standard ?',
      ),
      a(
        'Un virement instantané arrive en quelques secondes, à toute heure, y compris le week-end. Un virement standard est traité les jours ouvrés et arrive en général le jour ouvré suivant. Les deux sont gratuits dans la zone SEPA.',
      ),
    ],
  },
  {
    language: 'fr',
    topic: 'support',
    copies: 4,
    messages: [
      u(
        "Résume ce ticket en deux phrases : le client a changé de téléphone, il ne reçoit plus les codes de vérification et ne peut plus se connecter à l'application.",
      ),
      a(
        "Le client a changé de téléphone et ne reçoit plus les codes de vérification. Il ne peut donc plus se connecter à l'application.",
      ),
      u('Parfait, merci.'),
    ],
  },
  {
    language: 'fr',
    topic: 'support',
    copies: 3,
    messages: [
      u("Quels documents faut-il demander pour vérifier l'identité d'un client ?"),
      a(
        "Une pièce d'identité officielle avec photo (passeport, carte d'identité ou titre de séjour) et un selfie pris dans l'application. Un justificatif de domicile n'est demandé que si l'adresse ne peut pas être vérifiée autrement.",
      ),
      u('Merci !'),
    ],
  },
  {
    language: 'fr',
    topic: 'support',
    copies: 3,
    messages: [
      u('Traduis en anglais : Votre carte de remplacement sera envoyée sous cinq jours ouvrés.'),
      a('Your replacement card will be sent within five working days.'),
    ],
  },
  {
    language: 'fr',
    topic: 'support',
    copies: 3,
    messages: [
      u(
        'Le client dit que le taux de change appliqué à son paiement est faux. Comment puis-je le vérifier ?',
      ),
      a(
        "Ouvrez le détail de la transaction : il indique le taux appliqué et la date de règlement. Comparez-le au taux du réseau pour cette date. Le week-end, une majoration de 0,5 % s'applique, ce qui explique souvent l'écart.",
      ),
    ],
  },
  {
    language: 'fr',
    topic: 'support',
    copies: 3,
    messages: [
      u('Rédige un message pour informer les clients d’une maintenance prévue samedi soir.'),
      a(
        "Chers clients,\n\nUne opération de maintenance aura lieu samedi de 22 h à minuit. Pendant cette période, l'application et les virements pourront être indisponibles. Les paiements par carte continueront de fonctionner.\n\nMerci de votre compréhension.",
      ),
    ],
  },
  {
    language: 'fr',
    topic: 'support',
    copies: 3,
    messages: [
      u('Propose une formulation plus chaleureuse pour : « Votre demande a été traitée. »'),
      a(
        '« Bonne nouvelle : nous avons traité votre demande. N’hésitez pas à nous écrire si vous avez la moindre question. »',
      ),
      u('Très bien, merci.'),
    ],
  },
  // Spanish: two people in finance (below the thresholds on purpose: the language cell is pooled).
  {
    language: 'es',
    topic: 'numbers',
    copies: 2,
    messages: [
      u(
        '¿Puedes ayudarme a calcular el margen bruto si los ingresos son 120.000 y el coste de ventas 78.000?',
      ),
      a('El margen bruto es (120.000 − 78.000) / 120.000 = 0,35, es decir, un 35 %.'),
      u('Gracias.'),
    ],
  },
  {
    language: 'es',
    topic: 'numbers',
    copies: 2,
    messages: [
      u('Explícame qué es el flujo de caja libre en pocas palabras.'),
      a(
        'Es el dinero que genera la empresa con su actividad después de pagar las inversiones necesarias para mantenerla: flujo de caja operativo menos inversiones en activos fijos.',
      ),
    ],
  },
  {
    language: 'es',
    topic: 'numbers',
    copies: 2,
    messages: [
      u('Redacta un correo para pedir al proveedor la factura de febrero.'),
      a(
        'Asunto: Factura de febrero\n\nHola:\n\n¿Podrían enviarnos la factura correspondiente a febrero? La necesitamos para cerrar el mes contable.\n\nMuchas gracias y un saludo.',
      ),
    ],
  },
  // Italian, Dutch and Portuguese: two people each. With Spanish they form the pooled "other"
  // language cell, which passes the thresholds on its own, so German and French stay visible.
  {
    language: 'it',
    topic: 'writing',
    copies: 2,
    messages: [
      u('Puoi scrivere un breve post per LinkedIn sul lancio della nostra nuova carta aziendale?'),
      a(
        'Siamo felici di presentare la nostra nuova carta aziendale: spese del team sotto controllo, limiti per ogni dipendente e rimborsi in pochi clic. Scopri di più sul nostro sito!',
      ),
      u('Grazie, perfetto.'),
    ],
  },
  {
    language: 'it',
    topic: 'writing',
    copies: 2,
    messages: [
      u(
        'Come posso rendere più chiaro questo titolo: "Soluzioni di pagamento per la tua impresa"?',
      ),
      a(
        'Alcune alternative più concrete: "Incassa dai clienti in un giorno", "Pagamenti semplici per piccole imprese", "Meno commissioni, più tempo per il tuo lavoro".',
      ),
    ],
  },
  {
    language: 'it',
    topic: 'writing',
    copies: 2,
    messages: [
      u('Traduci in inglese: La promozione è valida fino alla fine del mese.'),
      a('The promotion is valid until the end of the month.'),
    ],
  },
  {
    language: 'nl',
    topic: 'travel',
    copies: 2,
    messages: [
      u(
        'Kun je een reisschema maken voor een tweedaagse bezoek aan ons kantoor in Londen, met de trein vanuit Amsterdam?',
      ),
      a(
        'Dag 1: vertrek met de Eurostar om 8.00 uur uit Amsterdam Centraal, aankomst in Londen rond 11.30 uur, middag op kantoor. Dag 2: vergaderingen tot 15.00 uur, terugreis om 16.00 uur, thuis rond 21.00 uur.',
      ),
      u('Bedankt, dat is handig.'),
    ],
  },
  {
    language: 'nl',
    topic: 'travel',
    copies: 2,
    messages: [
      u('Wat moet ik regelen voor een zakenreis naar Berlijn volgende week?'),
      a(
        'Boek de reis en het hotel via het reisportaal, vraag vooraf goedkeuring aan je manager, neem je bedrijfspas mee en bewaar alle bonnetjes voor de onkostendeclaratie.',
      ),
    ],
  },
  {
    language: 'nl',
    topic: 'travel',
    copies: 2,
    messages: [
      u('Schrijf een korte mail aan het hotel om de reservering met een nacht te verlengen.'),
      a(
        'Beste heer, mevrouw,\n\nGraag verleng ik mijn reservering met één nacht, tot en met vrijdag. Wilt u de wijziging bevestigen?\n\nMet vriendelijke groet',
      ),
    ],
  },
  {
    language: 'pt',
    topic: 'support',
    copies: 2,
    messages: [
      u(
        'Um cliente perguntou quanto tempo demora uma transferência internacional. O que respondo?',
      ),
      a(
        'Pode responder que as transferências internacionais demoram normalmente de 3 a 5 dias úteis e que o estado da transferência aparece na aplicação.',
      ),
      u('Obrigado.'),
    ],
  },
  {
    language: 'pt',
    topic: 'support',
    copies: 2,
    messages: [
      u('Escreve uma resposta simpática a um cliente que recebeu o cartão danificado.'),
      a(
        'Olá! Lamentamos muito que o seu cartão tenha chegado danificado. Já pedimos um novo cartão, sem qualquer custo, que deverá chegar dentro de 5 dias úteis. Obrigado pela sua paciência!',
      ),
    ],
  },
  {
    language: 'pt',
    topic: 'support',
    copies: 2,
    messages: [
      u(
        'Como explico a um cliente a diferença entre um pagamento pendente e um pagamento concluído?',
      ),
      a(
        'Um pagamento pendente foi autorizado, mas o comerciante ainda não o confirmou; o valor fica reservado. Quando o comerciante confirma, o pagamento fica concluído e aparece no extrato.',
      ),
    ],
  },
];

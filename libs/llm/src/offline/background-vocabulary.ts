/**
 * The built-in background vocabulary of the use-case composer: common lowercase English words in
 * three frequency bands. It serves two purposes:
 *  - distinctiveness: a word's inverse "document frequency" is approximated by its band (very
 *    common words say little about what a conversation is for; rarer ones say more);
 *  - privacy by construction: a use case is composed only of words from this list, the taxonomy
 *    vocabulary and the verb lexicon, so names, numbers and identifiers cannot be copied into it.
 *
 * Written by hand from general knowledge of English word frequency (no corpus or evaluation data
 * was read to make it). Words that are also common given names or surnames are kept out, or listed
 * in NAME_LIKE_WORDS so they are not used when they appear capitalised.
 */

/** Function words, pronouns, auxiliaries, fillers: never content of a use case. */
export const STOPWORDS: ReadonlySet<string> = new Set(
  `a an the and or but nor so yet for of to in on at by with from into onto about above below over
  under between among through during before after since until while as than then that this these
  those there here where when why how what which who whom whose whether if because though although
  unless once i me my mine myself we us our ours ourselves you your yours yourself yourselves he him
  his himself she her hers herself it its itself they them their theirs themselves am is are was
  were be been being have has had having do does did doing done will would shall should can could
  may might must ought not no yes very too also just only even still already again ever never always
  often sometimes really quite rather more most less least much many few some any all both each
  every either neither other another such own same else up down out off away back now today
  tonight tomorrow yesterday please thanks thank hi hello hey ok okay sure well oh like want wants
  wanted need needs needed would like let lets let's get gets got make makes made go goes going
  went gone take takes took give gives gave know knows knew think thinks thought see sees saw say
  says said tell tells told try tries tried use uses used help helps helped something anything
  everything nothing someone anyone everyone thing things way ways lot lots kind sort bit also
  i'm i'd i'll i've you're you'd you'll you've he's she's it's we're we've they're they've that's
  there's what's who's don't doesn't didn't can't cannot won't wouldn't shouldn't couldn't isn't
  aren't wasn't weren't haven't hasn't hadn't via per etc e.g i.e able maybe perhaps actually
  basically probably possibly certainly definitely right just`
    .split(/\s+/)
    .filter(Boolean),
);

/** Very frequent content words: low distinctiveness. */
const BAND_COMMON = `time year people day man woman child world life hand part place case week
  company system program question work government number night point home water room mother area
  money story fact month lot right study book eye job word business issue side kind head house
  service friend father power hour game line end member law car city community name president team
  minute idea kid body information back parent face others level office door health person art war
  history party result change morning reason research girl guy moment air teacher force education
  good new first last long great little own old big high different small large next early young
  important few public bad same able best better sure free full special easy clear recent certain
  personal open red difficult available likely short single medical current wrong private past
  foreign fine common poor natural significant similar hot dead central happy serious ready simple
  left physical general environmental financial blue democratic dark various entire close legal
  religious cold final main green nice huge popular traditional cultural find give show call keep
  start turn begin seem leave feel put mean become play run move live believe hold bring happen
  write provide sit stand lose pay meet include continue set learn lead understand watch follow stop
  create speak read allow add spend grow open walk win offer remember love consider appear buy wait
  serve die send expect build stay fall cut reach kill remain suggest raise pass sell require report
  decide pull return explain hope develop carry break receive agree support hit produce eat cover
  catch draw choose cause point list plan check look ask work seem`;

/** Common content words: medium distinctiveness. */
const BAND_MEDIUM = `account action activity address advice age agency agent agreement amount analysis
  animal answer apartment application approach argument article artist attention audience author
  baby background bank bar base basis bed behavior benefit bill bird blood board boat border box
  brain brand bread budget building bus camera campaign cancer capital card career cat category
  cell center century chair challenge chance chapter character charge choice church class client
  climate coach coffee collection college color column comment communication computer concept
  concern condition conference contract control conversation cost country couple course court
  culture cup customer data date deal death debate decade decision degree department description
  design detail development device diet difference dinner direction director discussion disease
  doctor dog dream drink drive drug economy edge editor effect effort election element email
  employee energy engine environment equipment event evidence example exercise experience expert
  factor failure family farm fear feature feeling field figure film floor flight flower food foot
  form freedom fruit fuel function fund future garden gas goal grade ground group growth guest gun
  habit hair heart heat hell hospital hotel household image impact income industry influence
  instance institution interest interview investment island item key kitchen knowledge lab lake
  land language leader leg letter library light limit literature location loss machine magazine
  manager market marriage material matter meal measure media meeting memory message method middle
  military mind mission model moment movement movie music nation nature network news newspaper
  note object occasion official oil operation opinion opportunity option order organization owner
  page pain painting paper patient pattern peace performance period phone photo picture piece
  plant player policy population position pressure price principle problem process product
  profession professor project property protection purpose quality race radio range rate reality
  record region relationship religion report resource response responsibility rest restaurant
  review risk road rock role rule safety sale scene schedule school science score screen sea season
  seat section security sense series service session shape share ship shop shot show sign site
  situation size skill skin society software soldier solution song sound source space speech sport
  staff stage standard star statement station status step stock store strategy street structure
  student style subject success summer sun surface table task tax teaching technology television
  term test text theory thing thought threat ticket title tool top topic town trade training travel
  treatment tree trial trip truth type unit university user value version video view village
  violence vision voice vote wall weapon weather weekend weight west wife window winter worker
  writer yard accept achieve acquire adapt adjust admit adopt advise afford aim alter analyze
  announce apply appreciate approve argue arrange arrive assess assign assist assume attach attack
  attempt attend attract avoid bake bear beat bind blame book borrow breathe burn calculate cancel
  care celebrate claim clean climb collect combine commit compare compete complain complete compose
  concentrate conclude conduct confirm connect contain contribute convert convince cook copy correct
  count crash cross cry dance deal define deliver demand deny depend describe deserve destroy detect
  determine differ discover discuss display divide donate download drop earn edit eliminate
  emphasize employ enable encourage engage enhance enjoy ensure enter establish estimate evaluate
  examine exist expand explore express extend face fail fill fit fix fly focus force forget form
  gather generate greet guess handle hang hate hear hide hire host identify ignore illustrate
  imagine implement improve increase indicate inform install intend introduce invest invite involve
  join judge jump kick knock label land laugh launch lay lie link listen load locate maintain manage
  mark match measure mention mix monitor motivate negotiate notice obtain occur operate order
  organize outline own paint participate perform persuade pick plant post practice pray predict
  prefer prepare present preserve press pretend prevent print process promise promote protect prove
  publish purchase pursue qualify question quit rank rate recall recognize recommend record recover
  reduce refer reflect refuse regard reject relate release rely remove rent repair repeat replace
  reply represent request rescue research reserve resolve respond restore retire reveal ride ring
  rise risk rule save schedule score search secure select separate settle shake shape share shift
  shoot sign sing skip sleep slide smile solve sort split spread steal stick store stress stretch
  strike struggle study submit succeed suffer supply surprise survive swim switch talk target taste
  teach tear test thank throw tie touch train transfer translate travel treat trust upgrade upload
  urge vary visit vote warn wash waste wear weigh wish wonder worry wrap accurate active additional
  advanced angry annual anxious attractive average aware basic beautiful brief bright broad busy
  calm careful casual cheap clean comfortable commercial competitive complete complex confident
  consistent constant creative critical cultural curious daily dangerous deep detailed digital
  direct domestic dry eager economic effective efficient electric electronic emotional empty
  engaging essential ethical everyday exact excellent excited existing expensive external extra
  fair familiar famous fast favorite flexible formal frequent fresh friendly funny global grand
  healthy heavy helpful historical honest horrible ideal independent industrial informal initial
  innovative inner intelligent interesting internal international key kind known latest leading
  light limited literary live local logical lonely loose loud lovely lucky major manual massive
  mental mobile modern moral narrow national negative neutral normal obvious official online
  original outdoor overall patient perfect persuasive pleasant polite positive powerful practical
  precise pregnant present pretty previous primary prior productive professional proper proud quick
  quiet rare raw realistic reasonable regular relevant reliable remote responsible rich rough round
  royal rural safe scientific secret secure sensitive separate sharp short silent slow smart smooth
  social soft solid spare specific stable steady strange strict strong successful sudden suitable
  sweet technical temporary terrible thick thin tight tiny tough typical unique unusual upper urban
  useful usual valuable vast visual vivid warm weak weekly wide wild wise wooden young`;

/** Less frequent but ordinary words: higher distinctiveness. */
const BAND_RARE = `accommodation accountability acquisition adventure agenda allergy ambition analogy
  anniversary apology appetite appliance appointment architecture assignment assumption athlete
  atmosphere attendance attitude auction audit autumn bakery balcony bargain barrier battery beach
  beverage biography blanket blueprint bonus boundary breakfast bridge brochure bubble buffet
  cabinet calendar calorie candidate canvas capacity caption carpet cartoon catalog ceremony
  certificate champion charity chart checklist chemistry childhood chocolate circuit citizen
  classroom clause clinic closet coastline cognition colleague comedy commute companion compass
  compensation competitor complaint compliance compromise concert confidence conflict consequence
  conservation consultant consumer container controversy cooperation correlation cottage courage
  coverage craft credential crisis criteria crowd cuisine curriculum curtain cushion cycle dashboard
  database deadline debt decoration defense delay delivery democracy deposit desert dessert
  destination diagram dialogue dictionary dilemma diploma disability disaster discipline discount
  dispute distance diversity documentary donation draft drawer dynamic ecosystem efficiency
  elevator emergency empathy encounter endurance enterprise entertainment enthusiasm entrepreneur
  envelope episode equation equity essay estimate ethics exhibit exhibition expense experiment
  expertise explanation exposure fabric facility fairness fantasy fashion feedback festival fiction
  finance firework fitness flavor forecast fountain fraction framework friendship frustration
  furniture galaxy gallery gender generation genre gesture gift glacier glossary gratitude grocery
  guarantee guideline gym habitat harbor harvest headline heritage highway hobby holiday horizon
  hospitality humor hypothesis identity imagination immigration incentive independence ingredient
  initiative injury innovation inquiry insight inspection inspiration insurance integrity interface
  internship interpretation intervention introduction introvert invention inventory invitation
  itinerary journal journey jungle keyboard landmark landscape laptop lawyer layout leadership lease
  lecture legacy leisure lesson license lifestyle limerick literacy loan logic logo loyalty luggage
  luxury mammal manuscript marathon margin mascot meadow mechanism meditation membership mentor
  menu merchandise metaphor microphone migration milestone mindset minority mixture momentum
  monument mortgage motivation mountain museum mystery narrative negotiation neighborhood
  newsletter nutrition obstacle ocean offer orchestra outfit outline overview packaging palace
  pandemic paragraph passion passport password patience pavement payment penalty pension perception
  perspective petition phenomenon philosophy photography pilot planet playlist pleasure pocket poem
  poetry portfolio portrait poster pottery poverty precision preference premium presentation
  privacy procedure productivity profile profit prototype proposal prospect psychology puzzle
  qualification questionnaire quiz rainbow ratio recipe recommendation recruitment reflection
  refund regulation rehearsal reminder renovation rental reputation reservation resilience resume
  retirement revenue rhythm riddle ritual routine salary sandwich satellite scenario scholarship
  screenplay sculpture semester sequence shelter shortage signature simile sketch slogan snack
  soccer souvenir spreadsheet stadium stakeholder statistics stereotype subscription suburb
  suitcase summary supplement survey sustainability symbol symptom syllabus tablet tactic talent
  tariff telescope temperature tenant territory textbook theme therapy thesis timeline tolerance
  tournament tradition traffic tragedy transaction transition transport treasure tribute trophy
  tuition tutorial umbrella uniform vacation vaccine venue verse veteran villa vineyard virtue
  vitamin volunteer voyage wardrobe warranty wealth website wedding wellness wilderness workflow
  workout workshop worksheet yoga compare contrast summarize highlight prioritize brainstorm
  rephrase rewrite proofread critique draft persuade introverted extroverted cultural scenic
  sustainable renewable affordable accessible inclusive concise engaging`;

export type FrequencyBand = 'common' | 'medium' | 'rare';

function words(list: string): string[] {
  return list.split(/\s+/).filter(Boolean);
}

/** Band of a lowercase word, or undefined if it is not in the background list. */
export const BACKGROUND_BANDS: ReadonlyMap<string, FrequencyBand> = (() => {
  const bands = new Map<string, FrequencyBand>();
  // Later bands do not overwrite earlier ones: a word keeps its most frequent band.
  for (const w of words(BAND_COMMON)) if (!bands.has(w)) bands.set(w, 'common');
  for (const w of words(BAND_MEDIUM)) if (!bands.has(w)) bands.set(w, 'medium');
  for (const w of words(BAND_RARE)) if (!bands.has(w)) bands.set(w, 'rare');
  return bands;
})();

/** Inverse-frequency weight per band; taxonomy words outside the background count as rare+. */
export const BAND_IDF: Readonly<Record<FrequencyBand | 'taxonomy', number>> = {
  common: 0.35,
  medium: 0.65,
  rare: 0.9,
  taxonomy: 1,
};

/**
 * Ordinary words that are also common given names or surnames. When such a word appears
 * capitalised it is treated as a name and never copied into a use case.
 */
export const NAME_LIKE_WORDS: ReadonlySet<string> = new Set(
  words(`will bill mark sue grace hope joy faith rose jack frank grant dean chase hunter cook baker
  miller smith taylor carter mason parker porter cash page ray art pat bob rich summer autumn april
  may june august penny amber ruby crystal jade pearl lily iris daisy violet holly ivy heather dawn
  eve harmony melody sky storm river brook wood stone young king hill lane bell bush rock victor
  sterling major price field gray green brown white black long short little wolf fox drake
  robin sandy rusty swift cherry olive hazel ginger jasmine sage angel star`),
);

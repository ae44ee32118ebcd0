"""Word pools for Germany, the United States and the United Kingdom, with their formats."""

from __future__ import annotations

from clientbase.services.seed.catalog import (
    COOPERATIVE,
    CORPORATION,
    LIMITED,
    PARTNERSHIP,
    SOLE_TRADER,
)
from clientbase.services.seed.locales import (
    ENGLISH,
    GERMAN,
    Locale,
    Rand,
    cities,
    digits,
    split,
    weighted,
)

_DE_MOBILE = split("151|152|157|160|162|170|171|172|173|175|176|177|178|179")
_GB_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
# Mobile blocks in use throughout (not 076 pagers, nor 07700 900, kept for drama).
_GB_MOBILE = split("7400|7437|7511|7548|7585|7733|7770|7807|7844|7881|7918|7955|7992")
_GB_FIRST_DIGITS = {"20": "378", "29": "2", "28": "9", "115": "2"}


def _de_phone(r: Rand, area: str, mobile: bool) -> tuple[str, str]:
    if mobile:
        prefix = _DE_MOBILE[int(r() * len(_DE_MOBILE))]
        number = digits(r, 8 if prefix.startswith("15") else 7)
        style, e164 = r(), f"49{prefix}{number}"
        if style < 0.4:
            return f"+49 {prefix} {number}", e164
        return (f"0{prefix} {number}" if style < 0.8 else f"0{prefix}/{number}"), e164
    number, style = f"{2 + int(r() * 7)}{digits(r, 6 if len(area) < 4 else 5)}", r()
    e164 = f"49{area}{number}"
    if style < 0.25:
        return f"0049 {area} {number}", e164
    if style < 0.5:
        return f"+49 {area} {number}", e164
    return (f"0{area} {number}" if style < 0.8 else f"0{area}/{number}"), e164


def _us_phone(r: Rand, area: str, _mobile: bool) -> tuple[str, str]:
    exchange, line, style = f"{2 + int(r() * 8)}{digits(r, 2)}", digits(r, 4), r()
    e164 = f"1{area}{exchange}{line}"
    if style < 0.35:
        return f"({area}) {exchange}-{line}", e164
    if style < 0.55:
        return f"+1 {area}-{exchange}-{line}", e164
    if style < 0.75:
        return f"{area}.{exchange}.{line}", e164
    return (f"{area}-{exchange}-{line}" if style < 0.9 else f"+{e164}"), e164


def _gb_phone(r: Rand, area: str, mobile: bool) -> tuple[str, str]:
    if mobile:
        head = _GB_MOBILE[int(r() * len(_GB_MOBILE))]
        national = head + digits(r, 6)
        tail = national[4:]
    else:
        # Subscriber numbers start with the digits their area has in use (London 3, 7, 8).
        starts = _GB_FIRST_DIGITS.get(area, "234")
        first = starts[int(r() * len(starts))]
        national = area + first + digits(r, 9 - len(area))
        head, tail = area, national[len(area) :]
        if len(tail) == 8:
            tail = f"{tail[:4]} {tail[4:]}"
        elif len(tail) == 7:
            tail = f"{tail[:3]} {tail[3:]}"
    return (f"+44 {head} {tail}" if r() < 0.4 else f"0{head} {tail}"), f"44{national}"


def _de_postal(prefix: str, r: Rand) -> str:
    return prefix + digits(r, 5 - len(prefix))


def _zip(prefix: str, r: Rand) -> str:
    code = prefix + digits(r, 5 - len(prefix))
    return f"{code}-{digits(r, 4)}" if r() < 0.15 else code


def _postcode(prefix: str, r: Rand) -> str:
    letters = _GB_LETTERS[int(r() * 20)] + _GB_LETTERS[int(r() * 20)]
    return f"{prefix} {int(r() * 10)}{letters}"


GERMANY = Locale(
    country="DE",
    language=GERMAN,
    weight=8,
    businesses=split(
        "Bäckerei|Metzgerei|Autohaus|Maschinenbau|Elektrotechnik|Sanitärtechnik|Brauerei|"
        "Druckerei|Logistik|Holzbau|Gärtnerei|Apotheke|Steuerberatung|Möbelhaus|Kfz-Werkstatt|"
        "Fliesenleger|Dachdeckerei|Getränkehandel|Spedition|Metallbau|Baustoffe|Feinkost|"
        "Weingut|Optik|Zahntechnik|Immobilien|Gebäudereinigung|Malerbetrieb|Werkzeugbau|"
        "Kunststofftechnik|Schreinerei|Reisebüro|Gasthof|Konditorei|Blumenhaus|Elektronik|"
        "Softwareentwicklung|Anlagenbau|Landtechnik"
    ),
    qualifiers=split(
        "Alpen|Nordsee|Ostsee|Rhein|Main|Elbe|Donau|Harz|Schwarzwald|Eifel|Taunus|Spree|"
        "Bodensee|Allgäu|Hanse|Süd|Nord|Kronen|Löwen|Adler|Sonnen|Tannen|Linden|Eichen|Mühlen|"
        "Schloss|Stern|Brücken|Hirsch|Rosen"
    ),
    surnames=split(
        "Müller|Schmidt|Schneider|Fischer|Weber|Meyer|Wagner|Becker|Schulz|Hoffmann|Schäfer|"
        "Koch|Bauer|Richter|Klein|Wolf|Schröder|Neumann|Schwarz|Zimmermann|Braun|Krüger|Hofmann|"
        "Hartmann|Lange|Schmitt|Werner|Krause|Köhler|Jäger|Groß|Böhm|Weiß|Günther|Vogel|"
        "Friedrich|Keller|Frank|Berger|Winkler|Roth|Beck|Lorenz|Baumann|Franke|Albrecht|Schuster|"
        "Ludwig|Winter|Kraus|Schumacher|Krämer|Vogt|Stein|Otto|Sommer|Seidel|Heinrich|Brandt|"
        "Haas|Schreiber|Graf|Dietrich|Ziegler|Kühn|Pohl|Engel|Horn|Busch|Bergmann|Voigt|Sauer|"
        "Arnold|Pfeiffer|Görtz|Büttner|Möller|Löffler|Straßburger|Fuß"
    ),
    first_names=split(
        "Jürgen|Jörg|Günter|Uwe|Björn|Sören|Lukas|Maximilian|Felix|Jonas|Stefan|Andreas|Thomas|"
        "Michael|Klaus|Wolfgang|Jörn|Götz|Hans|Karl|Heinz|Dieter|Ralf|Matthias|Tobias|Florian|"
        "Sabine|Ursula|Käthe|Anna|Lena|Lea|Sophie|Hannah|Birgit|Dörte|Gisela|Renate|Monika|"
        "Petra|Claudia|Susanne|Katrin|Maike|Bärbel|Jutta|Ingrid|Frauke|Anneliese|Zoë"
    ),
    name_templates=split("{q}-{b}|{b} {s}|{s} {b}|{s} & {t}|{b} {f}"),
    families=split("{s} & Söhne|Gebrüder {s}|{s} & Partner|{s} & Co."),
    suffixes=weighted(
        (12, ("GmbH", LIMITED, "")),
        (2, ("AG", CORPORATION, "")),
        (3, ("GmbH & Co. KG", PARTNERSHIP, "")),
        (2, ("e.K.", SOLE_TRADER, "")),
        (1, ("eG", COOPERATIVE, "")),
        (1, ("UG (haftungsbeschränkt)", LIMITED, "")),
    ),
    second_surname=0.0,
    cities=cities(
        "Berlin;Berlin;10;30|München;Bayern;80;89|Hamburg;Hamburg;20;40|"
        "Köln;Nordrhein-Westfalen;50;221|Frankfurt am Main;Hessen;60;69|"
        "Stuttgart;Baden-Württemberg;70;711|Düsseldorf;Nordrhein-Westfalen;40;211|"
        "Nürnberg;Bayern;90;911|Leipzig;Sachsen;04;341|Dresden;Sachsen;01;351|"
        "Hannover;Niedersachsen;30;511|Bremen;Bremen;28;421|Münster;Nordrhein-Westfalen;48;251|"
        "Lübeck;Schleswig-Holstein;23;451|Würzburg;Bayern;97;931|Göttingen;Niedersachsen;37;551|"
        "Saarbrücken;Saarland;66;681|Freiburg im Breisgau;Baden-Württemberg;79;761|"
        "Mönchengladbach;Nordrhein-Westfalen;41;2161|Osnabrück;Niedersachsen;49;541|"
        "Regensburg;Bayern;93;941|Jena;Thüringen;07;3641"
    ),
    streets=split(
        "Hauptstraße|Bahnhofstraße|Schillerstraße|Goethestraße|Mühlenweg|Königsallee|"
        "Lindenstraße|Friedrichstraße|Gartenstraße|Am Marktplatz|Schloßallee|Kirchgasse|"
        "Bürgerstraße|Rosenweg|Wilhelmstraße|Kaiserstraße|Berliner Allee|Mozartstraße|"
        "Industriestraße|Am Hafen|Hölderlinweg|Brückenstraße|Schützenstraße|Talstraße"
    ),
    tld="de",
    mail_hosts=split("gmx.de|web.de|t-online.de|gmail.com|posteo.de|outlook.de"),
    max_street_number=180,
    postal_code=_de_postal,
    phone=_de_phone,
)

UNITED_STATES = Locale(
    country="US",
    language=ENGLISH,
    weight=7,
    businesses=split(
        "Plumbing|Hardware|Logistics|Dental Group|Auto Repair|Construction|Bakery|Brewing|"
        "Consulting|Landscaping|Roofing|Electric|Marketing|Software|Realty|Pharmacy|Diner|"
        "Outfitters|Supply|Freight|Insurance Agency|Medical Center|Law Group|Accounting|"
        "Home Services|Printing|Machine Works|Farms|Coffee Roasters|Fitness|Veterinary Clinic|"
        "Optical|Furniture|Paving|HVAC|Storage|Catering|Imports|Data Systems|Engineering"
    ),
    qualifiers=split(
        "Lakeside|Riverside|Summit|Pioneer|Golden Gate|Bayview|Evergreen|Liberty|Heritage|"
        "Keystone|Redwood|Blue Ridge|Cascade|Prairie|Frontier|Eagle|Lone Star|Silver Creek|"
        "Oak Hill|Harbor|Granite|Sunrise|Northstar|Midwest|Coastal|Canyon|Red Rock|Iron Horse|"
        "Magnolia|Rocky Mountain|Great Lakes|Pacific|Atlantic|Empire|Big Sky|Santa Fé"
    ),
    surnames=split(
        "Smith|Johnson|Williams|Brown|Jones|Miller|Davis|Wilson|Anderson|Taylor|Thomas|Moore|"
        "Jackson|Martin|Lee|Thompson|White|Harris|Clark|Lewis|Robinson|Walker|Young|Allen|King|"
        "Wright|Scott|Hill|Green|Adams|Baker|Nelson|Carter|Mitchell|Roberts|Turner|Phillips|"
        "Campbell|Parker|Evans|Edwards|Collins|Stewart|O'Brien|O'Connor|McAllister|Nguyen|"
        "García|Peña|Núñez|Kowalski|Dubois|Lefèvre|Björk|Rossi|Murphy|Sullivan|Bennett|Hughes|"
        "Foster|Bryant|Russell|Griffin|Hayes|Myers|Ford|Hamilton|Graham|Wallace|Cole|West"
    ),
    first_names=split(
        "James|John|Robert|Michael|William|David|Richard|Joseph|Thomas|Christopher|Daniel|"
        "Matthew|Anthony|Mark|Steven|Andrew|Joshua|Kevin|Brian|Tyler|Mary|Patricia|Jennifer|"
        "Linda|Elizabeth|Barbara|Susan|Jessica|Sarah|Karen|Emily|Ashley|Madison|Olivia|Chloé|"
        "Zoë|Renée|José|André|Noël|Sofía|Hannah|Abigail|Grace"
    ),
    name_templates=split("{q} {b}|{s} {b}|{s} & {t}|{f} {b}"),
    families=split("{s} & Sons|{s} Brothers|{s} & Daughters|{s} Family"),
    suffixes=weighted(
        (8, ("Inc", CORPORATION, "")),
        (9, ("LLC", LIMITED, "")),
        (2, ("Corp.", CORPORATION, "")),
        (1, ("Ltd", LIMITED, "")),
    ),
    second_surname=0.0,
    cities=cities(
        "New York;NY;100;212|Brooklyn;NY;112;718|Los Angeles;CA;900;213|San Diego;CA;921;619|"
        "San José;CA;951;408|San Francisco;CA;941;415|Chicago;IL;606;312|Houston;TX;770;713|"
        "Dallas;TX;752;214|Austin;TX;787;512|San Antonio;TX;782;210|Phoenix;AZ;850;602|"
        "Philadelphia;PA;191;215|Miami;FL;331;305|Orlando;FL;328;407|Seattle;WA;981;206|"
        "Denver;CO;802;303|Boston;MA;021;617|Atlanta;GA;303;404|Portland;OR;972;503|"
        "Santa Fe;NM;875;505|Nashville;TN;372;615|Minneapolis;MN;554;612|Detroit;MI;482;313|"
        "Charlotte;NC;282;704|Coeur d'Alene;ID;838;208"
    ),
    streets=split(
        "Main Street|Oak Avenue|Pine Street|Maple Avenue|Cedar Lane|Elm Street|"
        "Washington Boulevard|Lake Shore Drive|Hill Road|Park Avenue|Sunset Boulevard|"
        "Lincoln Way|Jefferson Street|Madison Avenue|Franklin Street|Peachtree Street|"
        "Market Street|Broadway|Mission Street|Ocean Drive|Congress Avenue|Michigan Avenue"
    ),
    tld="com",
    mail_hosts=split("gmail.com|yahoo.com|outlook.com|icloud.com|aol.com|comcast.net"),
    max_street_number=9800,
    postal_code=_zip,
    phone=_us_phone,
)

UNITED_KINGDOM = Locale(
    country="GB",
    language=ENGLISH,
    weight=3,
    businesses=split(
        "Builders|Plumbing & Heating|Electrical Services|Joinery|Bakery|Butchers|Garage|"
        "Haulage|Removals|Estate Agents|Solicitors|Accountants|Dental Practice|Pharmacy|"
        "Tea Rooms|Brewery|Distillery|Printers|Engineering|Roofing|Landscapes|Cleaning Services|"
        "Care Homes|Interiors|Fabrications|Motors|Signs|Timber Merchants|IT Solutions"
    ),
    qualifiers=split(
        "Thames|Pennine|Cotswold|Highland|Severn|Mersey|Tyne|Clyde|Kingsway|Crown|Royal Oak|"
        "Albion|Britannia|Windsor|Victoria|Regency|Northern|Southern|Westcountry|Cornish|"
        "Yorkshire|Lakeland|Greenwich|Camden|Mayfair|Shire|Dales|Moorland|Coastline"
    ),
    surnames=split(
        "Smith|Jones|Williams|Taylor|Brown|Davies|Evans|Wilson|Thomas|Johnson|Roberts|Robinson|"
        "Thompson|Wright|Walker|White|Edwards|Hughes|Green|Hall|Lewis|Harris|Clarke|Patel|"
        "Jackson|Wood|Turner|Martin|Cooper|Hill|Ward|Morris|Moore|Clark|Lee|King|Baker|Harrison|"
        "Morgan|Allen|James|Scott|Phillips|Watson|Davis|Parker|Price|Bennett|Young|Griffiths|"
        "Mitchell|Kelly|Cook|Carter|Richardson|Bailey|Collins|Bell|Shaw|Murphy|Khan|Marshall|"
        "Simpson|Ellis|Singh|Begum|Foster|Chapman|Powell|Webb|Gray|Mason|Ali|Hunt|Hussain|"
        "Campbell|Owen|Palmer|Holmes|Knight|Lloyd|O'Neill|MacDonald|Ó Briain"
    ),
    first_names=split(
        "Oliver|George|Harry|Jack|Charlie|Thomas|James|William|Edward|Henry|Alfie|Rhys|Callum|"
        "Seán|Ciarán|Amelia|Olivia|Isla|Emily|Poppy|Ava|Isabella|Jessica|Lily|Sophie|Siobhán|"
        "Niamh|Eilidh|Zoë|Chloë|Renée|Aoife|Máire|Dafydd|Gwen"
    ),
    name_templates=split("{q} {b}|{s} {b}|{s} & {t}|{f} {b}"),
    families=split("{s} & Sons|{s} Bros|{s} & Daughters|{s} & Co"),
    suffixes=weighted(
        (16, ("Ltd", LIMITED, "")),
        (2, ("PLC", CORPORATION, "")),
        (2, ("LLP", PARTNERSHIP, "")),
    ),
    second_surname=0.0,
    cities=cities(
        "London;Greater London;EC1A;20|London;Greater London;SW1P;20|"
        "London;Greater London;SE1;20|Manchester;Greater Manchester;M1;161|"
        "Birmingham;West Midlands;B1;121|Leeds;West Yorkshire;LS1;113|Glasgow;Scotland;G1;141|"
        "Edinburgh;Scotland;EH1;131|Bristol;England;BS1;117|Liverpool;Merseyside;L1;151|"
        "Cardiff;Wales;CF10;29|Belfast;Northern Ireland;BT1;28|"
        "Newcastle upon Tyne;Tyne and Wear;NE1;191|Sheffield;South Yorkshire;S1;114|"
        "Nottingham;Nottinghamshire;NG1;115|Oxford;Oxfordshire;OX1;1865|"
        "Cambridge;Cambridgeshire;CB2;1223|Brighton;East Sussex;BN1;1273"
    ),
    streets=split(
        "High Street|Station Road|Church Lane|Victoria Road|Mill Lane|King's Road|Queen Street|"
        "Park Avenue|London Road|The Green|Manor Road|Church Street|Albert Road|Green Lane|"
        "Springfield Road|George Street|Castle Street|St John's Road|Bridge Street|Market Place"
    ),
    tld="co.uk",
    mail_hosts=split("gmail.com|btinternet.com|hotmail.co.uk|outlook.com|sky.com|yahoo.co.uk"),
    max_street_number=220,
    postal_code=_postcode,
    phone=_gb_phone,
)

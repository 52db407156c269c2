// The words the demo program is written in. Partner names are "<Prefix><core> <Suffix>" with
// the suffix fitting the kind; customers are "<A><b> <Industry>" with a legal form that fits
// the country of the TLD; people, reasons, notes and the pending applications read like a real
// channel's. Data only: the generator (db/seed/program.ts) decides how they are drawn.
import type { PartnerKind, REGIONS, TOUCH_KINDS } from "../schema";

export const PARTNER_PREFIX =
  "Blue North Iron Silver Bright Clear Summit Harbor Cedar Granite Red Stone Swift True Pine Oak Maple River Lake Crest Sky Star Sun Wind Fox Wolf Hawk Eagle Falcon Raven Orca Polar Arctic Coral Amber Jade Onyx Cobalt Copper Golden Quantum Vector Apex Zenith Nova Atlas Orbit Pixel Signal Beacon Bridge Keystone Lighthouse Meridian Pioneer Frontier Horizon Evergreen Redwood Ashford Kings Trident Lumen Helix Vertex Nimbus Tidal Cinder Sable Ember Alder".split(
    " "
  );
export const PARTNER_CORE = [
  "",
  "",
  "",
  "point",
  "line",
  "gate",
  "field",
  "path",
  "wave",
  "light",
  "works",
  "forge",
  "stack",
  "bay",
  "ridge",
  "rock",
  "brook",
  "well",
  "mark",
  "wise",
  "craft",
  "logic",
  "base",
  "peak",
  "view",
  "port",
  "shore",
  "spring",
  "vale",
  "wood",
];
export const PARTNER_SUFFIX: Record<PartnerKind, readonly string[]> = {
  reseller: [
    "Systems",
    "IT",
    "Solutions",
    "Networks",
    "Cloud",
    "Technology Group",
    "Computing",
    "Distribution",
  ],
  referral: ["Advisors", "Partners", "Consulting", "Associates", "Advisory", "Consultants"],
  agency: ["Digital", "Studio", "Media", "Marketing", "Interactive", "Creative"],
  affiliate: ["Media", "Ventures", "Commerce", "Reviews", "Network", "Publishing"],
  technology: ["Labs", "Software", "Technologies", "Data", "Analytics", "Dev"],
  strategic: ["Group", "Consulting Group", "Global", "Holdings", "Solutions Group", "International"],
};
/** Non-ASCII names at fixed positions, so slugs and emails of every demo are exercised. */
export const SPECIAL_PARTNERS: readonly { at: number; name: string; region: (typeof REGIONS)[number] }[] = [
  { at: 2, name: "Łódź Systems", region: "EMEA" },
  { at: 7, name: "Ærø Partners", region: "EMEA" },
  { at: 12, name: "Müller & Söhne IT", region: "EMEA" },
  { at: 17, name: "São Paulo Cloud Works", region: "Latin America" },
  { at: 23, name: "Zürich Data Collective", region: "EMEA" },
  { at: 31, name: "Crème Digital", region: "North America" },
  { at: 41, name: "Nørrebro Analytics", region: "EMEA" },
  { at: 53, name: "Città Studio", region: "EMEA" },
];

export const CUSTOMER_A =
  "Alder Amber Anchor Apple Arbor Ash Aspen Atlas Aurora Autumn Bay Beacon Bear Beech Bell Birch Black Blue Bold Boulder Bramble Bright Brook Canyon Cardinal Castle Cedar Chestnut Clear Cliff Cloud Clover Coast Copper Coral Crane Creek Crown Crystal Cypress Dawn Deer Delta Diamond Dove Dragon Eagle East Echo Elm Ember Emerald Fair Falcon Fern Field Fir Flint Forest Fox Frost Garden Glen Gold Granite Grand Green Grey Harbor Hart Hazel Heather High Hill Holly Horizon Iron Ivy Jasper Juniper King Lake Laurel Lark Lime Linden Lion Long Maple Marble Meadow Mill Mint Moon Moss Mountain North Oak Ocean Olive Orchard Otter Palm Park Pearl Pebble Pine Plum Prairie Quarry Queen Rain Raven Red Reed Ridge River Robin Rock Rose Ruby Sage Salt Sand Sea Shadow Silver Sky Snow South Spring Spruce Star Steel Stone Storm Summer Sun Swan Thistle Thunder Tide Timber Tower Valley Violet West White Willow Wind Winter Wolf Wood Yew".split(
    " "
  );
export const CUSTOMER_B =
  "bridge brook crest dale field ford gate hall haven hill hurst land light line mark mere mont moor point port ridge rock shire side stead stone ton vale view water well wick wood worth bay berry bury by cliff cott cove croft den fall fell garth glen grove ham holm horn lake leigh ley lock lyn more mouth peak pool reach run shaw spring star thorn top town wall way".split(
    " "
  );
export const INDUSTRIES =
  "Logistics|Health|Foods|Bank|Insurance|Energy|Retail|Robotics|Media|Pharma|Motors|Airlines|Hotels|Realty|Apparel|Manufacturing|Biotech|Telecom|Capital|Credit Union|Freight|Marine|Mining|Utilities|Outdoors|Furniture|Dental|Clinics|Education|Publishing|Games|Studios|Brewing|Coffee|Farms|Textiles|Chemicals|Steel|Packaging|Aerospace|Semiconductors|Solar|Water|Security|Staffing|Legal|Accounting|Travel|Fitness|Grocers|Pharmacy|Bakery|Construction|Architects|Engineering|Fashion|Cosmetics|Tools|Electric|Wireless|Software|Payments|Lending|Wealth|Hospitality|Events|Sports|Auto Parts|Home Care|Diagnostics".split(
    "|"
  );
// Tried in order until one is free (a second company called "Brightwater …" gets another TLD).
export const TLDS: readonly (readonly [string, number, string])[] = [
  ["com", 58, "Inc."],
  ["io", 7, "Inc."],
  ["co", 4, "LLC"],
  ["net", 5, "LLC"],
  ["de", 6, "GmbH"],
  ["co.uk", 6, "Ltd"],
  ["fr", 3, "S.A."],
  ["nl", 2, "B.V."],
  ["com.au", 3, "Pty Ltd"],
  ["com.br", 2, "Ltda"],
  ["ca", 3, "Inc."],
  ["jp", 1, "K.K."],
];
export const FIRST_NAMES =
  "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Anthony Betty Mark Sandra Priya Wei Hiroshi Yuki Mohammed Fatima Lars Ingrid Pierre Camille Giulia Marco Olga Ivan Chen Aisha Diego Lucía José Zoë Søren Łukasz Chloé Björn Anaïs Renée François Jürgen Noémie Tomás Ana".split(
    " "
  );
export const LAST_NAMES =
  "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Thompson White Harris Clark Lewis Walker Young Allen King Wright Nguyen Patel Kim Tanaka Sato Müller Schmidt Kowalski Nowak Ødegaard Johansson Dubois Rossi Bianchi Novak Ivanova Núñez Silva Santos Costa O'Connor Fischer Weber Larsen Eriksson Yamamoto Chen Wang Okafor Mensah".split(
    " "
  );
export const REJECTION_REASONS = [
  "The customer is already in an active opportunity with our direct team.",
  "Duplicate of a registration another partner submitted earlier.",
  "The customer is below the minimum size for partner registration.",
  "Not enough qualification: no named contact, budget or timeline.",
  "The customer is an existing account managed by our enterprise team.",
];
export const LOST_REASONS = [
  "Chose a competitor on price.",
  "No decision: the project was put on hold.",
  "Budget was cut for this fiscal year.",
  "Went with an in-house build.",
  "Missing integration with their ERP.",
  "Champion left the company.",
];
export const DEAL_NOTES = [
  "Champion is the VP of Operations; budget approved for this quarter.",
  "Security review scheduled with their IT team.",
  "Evaluating two other vendors; we lead on integrations.",
  "Pilot with one business unit first, then company-wide rollout.",
  "Procurement requires a reseller on their approved vendor list.",
  "Renewal of an existing subscription with additional seats.",
];
export const TOUCH_NOTES: Partial<Record<(typeof TOUCH_KINDS)[number], readonly string[]>> = {
  co_sell_meeting: [
    "Joint discovery call with the account executive.",
    "Executive briefing at the customer's office.",
  ],
  technical_validation: [
    "Proof of concept on the customer's staging data.",
    "Architecture review with their IT team.",
  ],
  implementation: ["Rollout plan agreed with the project lead.", "Data migration and SSO setup."],
  co_marketing: ["Joint webinar attended by the customer.", "Case-study event invitation."],
  integration: ["Connector to their ERP demonstrated.", "API integration scoped."],
  support: ["Onboarding workshop for admins.", "Health check after go-live."],
};

/** The partner applications waiting for review, `days` before the as-of date. */
export const APPLICATIONS = [
  {
    company: "Fjordline Analytics AS",
    website: "https://fjordline-analytics.no",
    kind: "technology",
    region: "EMEA",
    contact: "Ingrid Solberg",
    email: "ingrid.solberg@fjordline-analytics.no",
    days: 2,
    message:
      "We build data pipelines for Nordic retailers and want to list a certified connector and co-sell into our 40 existing accounts.",
  },
  {
    company: "Kestrel Cloud Advisors LLC",
    website: "https://kestrelcloud.com",
    kind: "referral",
    region: "North America",
    contact: "Marcus Bell",
    email: "marcus@kestrelcloud.com",
    days: 5,
    message:
      "Fractional CTO practice for mid-market SaaS companies. We recommend tooling to about a dozen clients a quarter.",
  },
  {
    company: "Mesa Verde Soluciones",
    website: "https://mesaverde.com.mx",
    kind: "reseller",
    region: "Latin America",
    contact: "Lucía Hernández",
    email: "lucia.hernandez@mesaverde.com.mx",
    days: 9,
    message:
      "Value-added reseller in Mexico and Colombia with a 12-person services team; we would like to resell and implement the Platform.",
  },
];

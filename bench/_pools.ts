/**
 * Value pools for the generator, taken from a real Synthea run
 * (/work/shared/data/synthea-sample): first and last names, streets, Massachusetts towns with
 * their county, county FIPS, ZIPs and centre, and the CVX codes with Synthea's descriptions
 * (double spaces where Synthea dropped commas) weighted by how often the sample has them.
 * @module
 */

const words = (s: string) => s.split(" ");

/** Male first names (Synthea adds a numeric suffix). */
export const MALE_NAMES: readonly string[] = words(
  "Adam Agustin Alexander Alfred Antone Aurelio Barry Benton Blaine Broderick Clayton Cleveland Cole Coy Craig Damon Deandre Dick Donn Dylan Edmund Eusebio Federico Francisco Freeman Gregorio Harrison Hung Jackie Jarred Jasper Jerald Joey Jonas Juan Julio Kendrick Kevin Markus Merle Milton Monty Nicolas Norris Ollie Osvaldo Philip Pierre Rey Reyes Richie Shayne Tod Tracey Tyson Van Virgil Virgilio Vito Wade Wally Wesley Wyatt Young José",
);

/** Female first names. */
export const FEMALE_NAMES: readonly string[] = words(
  "Aletha Alvina America Amy Arnetta Basilia Caroline Clemencia Cody Corine Darcy Deanne Debora Delcie Edelmira Emelda Emilia Fern Hedwig Hui Jacquelin Josie Kaci Kasi Kathie Kati Kiara Kyra Lanita Leslee Madelyn Mamie Manuela Marisela Norma Odette Otha Paris Patria Paulina Pearle Penelope Samira Shakira Shenna Soledad Tatum Tiesha Verda Yolanda Zoë",
);

/** Family names. */
export const LAST_NAMES: readonly string[] = words(
  "Ankunding Balistreri Baumbach Berge Boehm Bogisich Bradtke Braun Buckridge Carmona Champlin Cole Collier Collins Cronin Cruickshank Dare Dickens Dickinson Dietrich Dooley Doyle DuBuque Erdman Farrell Fay Feil Fisher Frami Franecki Gibson Gislason Gleason Goodwin Grady Graham Grant Greenholt Grimes Guardado Hackett Hahn Halvorson Hansen Harber Harris Heathcote Hermiston Hessel Hickle Hoeger Howell Huels Jacobi Jerde Kassulke Keeling Kessler Kilback Kling Kutch Kuvalis Labadie Lakin Lang Larson Lebsack Lindgren Lowe MacGyver Madrid Maggio Malave Marks Marvin McClure Mitchell Moen Moore Mosciski Mueller Murray O'Hara Oberbrunner Ortiz Peña Powlowski Prosacco Quitzon Raynor Reichert Reynolds Rice Rippin Ritchie Roberts Robles Rodriguez Rogahn Romaguera Rowe Ruecker Ruelas Runolfsdottir Runte Ryan Samaniego Sauer Schiller Schimmel Schneider Simonis Spinka Sporer Stehr Stokes Stracke Terry Torphy Toy Uribe Vandervort Von Walsh Walter Weber Wilkinson Willms Windler Wintheiser Wisoky Wuckert",
);

/** Street names. */
export const STREET_NAMES: readonly string[] = words(
  "Abbott Abshire Adams Baumbach Bechtelar Bednar Berge Blanda Borer Bosco Bradtke Brown Cole Crist Crona Cummerata Cummings Dach Dietrich Doyle DuBuque Durgan Erdman Fay Feest Franecki Gibson Gleichner Gutkowski Heaney Heathcote Hegmann Heller Herman Herzog Huels Hyatt Jacobi Jaskolski Jast Jerde Johns Kassulke Kautzer Kertzmann Klein Klocko Koelpin Krajcik Kreiger Langosh Leannon Leffler Lehner Leuschke Luettgen Macejkovic Mann Marks Marquardt McCullough Moen Morar Morissette Mosciski Muller Murphy Murray Nader O'Conner O'Kon Ortiz Padberg Paucek Pfeffer Price Raynor Reichel Reinger Romaguera Runolfsson Ryan Sawayn Schaefer Schiller Schimmel Schneider Schumm Smith Stamm Stanton Steuber Stracke Thompson Toy Vandervort Veum Watsica West Williamson Yundt",
);

/** Street suffixes. */
export const STREET_SUFFIXES: readonly string[] = words(
  "Annex Arcade Avenue Bay Branch Bridge Brook Burg Byway Center Corner Crossing Dam Divide Drive Estate Extension Ferry Forge Fort Gardens Gate Glen Harbor Haven Highlands Junction Knoll Landing Loaf Lock Mall Manor Meadow Mill Neck Orchard Parade Park Passage Port Promenade Ramp Rapid Rest Row Station Stravenue Throughway Trace Track Trailer Underpass Union Viaduct Village Ville Vista Walk Well Wynd",
);

/** Towns used in BIRTHPLACE ("Town  Massachusetts  US"). */
export const TOWNS: readonly string[] = [
  "Amherst",
  "Attleboro",
  "Ayer",
  "Bedford",
  "Boston",
  "Braintree",
  "Brockton",
  "Cambridge",
  "Carver",
  "Chelmsford",
  "Chelsea",
  "Dalton",
  "Danvers",
  "Dartmouth",
  "East Longmeadow",
  "Edgartown",
  "Everett",
  "Falmouth",
  "Foxborough",
  "Grafton",
  "Haverhill",
  "Hingham",
  "Lawrence",
  "Leominster",
  "Lexington",
  "Lowell",
  "Lynn",
  "Malden",
  "Marblehead",
  "Mashpee",
  "Medfield",
  "Middleborough",
  "New Bedford",
  "Newton",
  "North Andover",
  "Peabody",
  "Pittsfield",
  "Quincy",
  "Revere",
  "Sandwich",
  "Somerville",
  "South Hadley",
  "Waltham",
  "Wellesley",
  "Worcester",
]; // deno-fmt-ignore

/** Birthplaces abroad, in Synthea's "City  Region  CC" shape. */
export const FOREIGN_BIRTHPLACES: readonly string[] = [
  "Buenos Aires  Ciudad de Buenos Aires  AR",
  "Moscow  Moscow  RU",
  "Novosibirsk  Novosibirsk Oblast  RU",
  "Santiago  Santiago Province  CL",
  "Santo Domingo  National District  DO",
  "Warsaw  Masovian  PL",
  "Wesley  Saint Andrew Parish  DM",
];

/** A town of residence with its county, county FIPS code, ZIPs and centre. */
export interface City {
  name: string;
  county: string;
  fips: string;
  zips: readonly string[];
  lat: number;
  lon: number;
}

const COUNTY_FIPS: Record<string, string> = {
  Barnstable: "25001",
  Berkshire: "25003",
  Bristol: "25005",
  Dukes: "25007",
  Essex: "25009",
  Franklin: "25011",
  Hampden: "25013",
  Hampshire: "25015",
  Middlesex: "25017",
  Norfolk: "25021",
  Plymouth: "25023",
  Suffolk: "25025",
  Worcester: "25027",
}; // deno-fmt-ignore

// name|county|zips|lat|lon
const CITY_LINES = `Boston|Suffolk|02115 02122 02125 02127 02132 02134 02215 02467|42.3601|-71.0589
Cambridge|Middlesex|02138 02139 02141|42.3736|-71.1097
Worcester|Worcester|01602 01604 01605|42.2626|-71.8023
Springfield|Hampden|01104 01107 01108|42.1015|-72.5898
Lowell|Middlesex|01852 01854|42.6334|-71.3162
Lynn|Essex|01901 01902 01904 01905|42.4668|-70.9495
Quincy|Norfolk|02169 02170 02186|42.2529|-71.0023
Everett|Middlesex|02148 02149|42.4084|-71.0537
Fall River|Bristol|02720 02723 02790|41.7015|-71.1550
Salem|Essex|01970 01907|42.5195|-70.8967
Northampton|Hampshire|01060 01062|42.3251|-72.6412
Waltham|Middlesex|02451 02453|42.3765|-71.2356
Braintree|Norfolk|02184|42.2079|-71.0040
Somerville|Middlesex|02143 02144 02145 02155|42.3876|-71.0995
Attleboro|Bristol|02703 02861|41.9445|-71.2856
Dennis|Barnstable|02638|41.7354|-70.1939
East Falmouth|Barnstable|02536|41.5784|-70.5586
Edgartown|Dukes|02539|41.3890|-70.5134
Pittsfield|Berkshire|01201|42.4501|-73.2454
Housatonic|Berkshire|01236|42.2540|-73.3665
Deerfield|Franklin|01342|42.5445|-72.6065
Marshfield|Plymouth|02050|42.0918|-70.7056
Hopkinton|Middlesex|01748|42.2287|-71.5226
Clinton|Worcester|01510|42.4168|-71.6829
Saugus|Essex|01906|42.4648|-71.0100
Milton|Norfolk|02186|42.2496|-71.0662
Revere|Suffolk|02151|42.4084|-71.0120
Ludlow|Hampden|01056|42.1601|-72.4759
Amherst Center|Hampshire|01002|42.3732|-72.5199`;

/** Massachusetts towns of residence. */
export const CITIES: readonly City[] = CITY_LINES.split("\n").map((line) => {
  const [name, county, zips, lat, lon] = line.split("|");
  return {
    name,
    county: `${county} County`,
    fips: COUNTY_FIPS[county],
    zips: words(zips),
    lat: Number(lat),
    lon: Number(lon),
  };
});

/** A CVX code with Synthea's CSV description and its weight in the sample. */
export interface Vaccine {
  code: string;
  description: string;
  weight: number;
}

/** The 18 CVX codes of the Synthea sample, with counts out of 1,506 rows. */
export const CVX: readonly Vaccine[] = [
  ["140", "Influenza  seasonal  injectable  preservative free", 960],
  ["113", "Td (adult) preservative free", 85],
  ["52", "Hep A  adult", 46],
  ["10", "IPV", 42],
  ["20", "DTaP", 41],
  ["133", "Pneumococcal conjugate PCV 13", 38],
  ["62", "HPV  quadrivalent", 37],
  ["114", "meningococcal MCV4P", 37],
  ["121", "zoster", 32],
  ["43", "Hep B  adult", 31],
  ["49", "Hib (PRP-OMP)", 28],
  ["08", "Hep B  adolescent or pediatric", 27],
  ["21", "varicella", 22],
  ["03", "MMR", 22],
  ["83", "Hep A  ped/adol  2 dose", 20],
  ["119", "rotavirus  monovalent", 14],
  ["115", "Tdap", 13],
  ["33", "pneumococcal polysaccharide vaccine  23 valent", 11],
].map(([code, description, weight]) => ({
  code: code as string,
  description: description as string,
  weight: weight as number,
}));

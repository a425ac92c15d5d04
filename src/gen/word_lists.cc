#include "gen/word_lists.h"

#include <array>
#include <cctype>
#include <string>
#include <vector>

namespace lakepack::gen {
namespace {

// The tables are laid out by hand, several words a line.
// clang-format off
constexpr std::string_view kFirstNames[] = {
    "James",    "Mary",     "Robert",   "Patricia", "John",     "Jennifer", "Michael",  "Linda",
    "David",    "Elizabeth", "William", "Barbara",  "Richard",  "Susan",    "Joseph",   "Jessica",
    "Thomas",   "Sarah",    "Charles",  "Karen",    "Daniel",   "Lisa",     "Matthew",  "Nancy",
    "Anthony",  "Betty",    "Mark",     "Sandra",   "Donald",   "Margaret", "Steven",   "Ashley",
    "Paul",     "Kimberly", "Andrew",   "Emily",    "Joshua",   "Donna",    "Kenneth",  "Michelle",
    "Kevin",    "Carol",    "Brian",    "Amanda",   "George",   "Melissa",  "Timothy",  "Deborah",
    "Ronald",   "Stephanie", "Edward",  "Rebecca",  "Jason",    "Sharon",   "Jeffrey",  "Laura",
    "Ryan",     "Cynthia",  "Jacob",    "Kathleen", "Gary",     "Amy",      "Nicholas", "Angela",
    "Eric",     "Shirley",  "Jonathan", "Anna",     "Stephen",  "Brenda",   "Larry",    "Pamela",
    "Justin",   "Emma",     "Scott",    "Nicole",   "Brandon",  "Helen",    "Benjamin", "Samantha",
    "Samuel",   "Katherine", "Gregory", "Christine", "Alexander", "Debra",  "Frank",    "Rachel",
    "Patrick",  "Carolyn",  "Raymond",  "Janet",    "Jack",     "Catherine", "Dennis",  "Maria",
    "Jerry",    "Heather",  "Tyler",    "Diane",    "Aaron",    "Ruth",     "Jose",     "Julie",
    "Adam",     "Olivia",   "Nathan",   "Joyce",    "Henry",    "Virginia", "Douglas",  "Victoria",
    "Zachary",  "Kelly",    "Peter",    "Lauren",   "Kyle",     "Christina", "Ethan",   "Joan",
    "Walter",   "Evelyn",   "Noah",     "Judith",   "Jeremy",   "Megan",    "Christian", "Andrea",
    "Keith",    "Cheryl",   "Roger",    "Hannah",   "Terry",    "Jacqueline", "Gerald", "Martha",
    "Harold",   "Gloria",   "Sean",     "Teresa",   "Austin",   "Ann",      "Carl",     "Sara",
    "Arthur",   "Madison",  "Lawrence", "Frances",  "Dylan",    "Kathryn",  "Jesse",    "Janice",
    "Jordan",   "Jean",     "Bryan",    "Abigail",  "Billy",    "Alice",    "Joe",      "Julia",
    "Bruce",    "Judy",     "Gabriel",  "Sophia",   "Logan",    "Grace",    "Albert",   "Denise",
    "Willie",   "Amber",    "Alan",     "Doris",    "Juan",     "Marilyn",  "Wayne",    "Danielle",
    "Elijah",   "Beverly",  "Randy",    "Isabella", "Roy",      "Theresa",  "Vincent",  "Diana",
    "Ralph",    "Natalie",  "Eugene",   "Brittany", "Russell",  "Charlotte", "Bobby",   "Marie",
    "Mason",    "Kayla",    "Philip",   "Alexis",   "Louis",    "Lori",     "Aiko",     "Ingrid",
    "Mateo",    "Lucia",    "Hiroshi",  "Priya",    "Arjun",    "Chen",     "Fatima",   "Omar",
    "Lars",     "Astrid",   "Pierre",   "Amelie",   "Giovanni", "Chiara",   "Sven",     "Freya",
    "Kwame",    "Amara",    "Diego",    "Valentina", "Ivan",    "Olga",     "Tomasz",   "Zofia",
};

constexpr std::string_view kLastNames[] = {
    "Smith",     "Johnson",   "Williams",  "Brown",     "Jones",     "Garcia",    "Miller",
    "Davis",     "Rodriguez", "Martinez",  "Hernandez", "Lopez",     "Gonzalez",  "Wilson",
    "Anderson",  "Thomas",    "Taylor",    "Moore",     "Jackson",   "Martin",    "Lee",
    "Perez",     "Thompson",  "White",     "Harris",    "Sanchez",   "Clark",     "Ramirez",
    "Lewis",     "Robinson",  "Walker",    "Young",     "Allen",     "King",      "Wright",
    "Scott",     "Torres",    "Nguyen",    "Hill",      "Flores",    "Green",     "Adams",
    "Nelson",    "Baker",     "Hall",      "Rivera",    "Campbell",  "Mitchell",  "Carter",
    "Roberts",   "Gomez",     "Phillips",  "Evans",     "Turner",    "Diaz",      "Parker",
    "Cruz",      "Edwards",   "Collins",   "Reyes",     "Stewart",   "Morris",    "Morales",
    "Murphy",    "Cook",      "Rogers",    "Gutierrez", "Ortiz",     "Morgan",    "Cooper",
    "Peterson",  "Bailey",    "Reed",      "Kelly",     "Howard",    "Ramos",     "Kim",
    "Cox",       "Ward",      "Richardson", "Watson",   "Brooks",    "Chavez",    "Wood",
    "James",     "Bennett",   "Gray",      "Mendoza",   "Ruiz",      "Hughes",    "Price",
    "Alvarez",   "Castillo",  "Sanders",   "Patel",     "Myers",     "Long",      "Ross",
    "Foster",    "Jimenez",   "Powell",    "Jenkins",   "Perry",     "Russell",   "Sullivan",
    "Bell",      "Coleman",   "Butler",    "Henderson", "Barnes",    "Gonzales",  "Fisher",
    "Vasquez",   "Simmons",   "Romero",    "Jordan",    "Patterson", "Alexander", "Hamilton",
    "Graham",    "Reynolds",  "Griffin",   "Wallace",   "Moreno",    "West",      "Cole",
    "Hayes",     "Bryant",    "Herrera",   "Gibson",    "Ellis",     "Tran",      "Medina",
    "Aguilar",   "Stevens",   "Murray",    "Ford",      "Castro",    "Marshall",  "Owens",
    "Harrison",  "Fernandez", "McDonald",  "Woods",     "Washington", "Kennedy",  "Wells",
    "Vargas",    "Henry",     "Chen",      "Freeman",   "Webb",      "Tucker",    "Guzman",
    "Burns",     "Crawford",  "Olson",     "Simpson",   "Porter",    "Hunter",    "Gordon",
    "Mendez",    "Silva",     "Shaw",      "Snyder",    "Mason",     "Dixon",     "Munoz",
    "Hunt",      "Hicks",     "Holmes",    "Palmer",    "Wagner",    "Black",     "Robertson",
    "Boyd",      "Rose",      "Stone",     "Salazar",   "Fox",       "Warren",    "Mills",
    "Meyer",     "Rice",      "Schmidt",   "Garza",     "Daniels",   "Ferguson",  "Nichols",
    "Stephens",  "Soto",      "Weaver",    "Ryan",      "Gardner",   "Payne",     "Grant",
    "Dunn",      "Kelley",    "Spencer",   "Hawkins",   "Arnold",    "Pierce",    "Hansen",
    "Tanaka",    "Suzuki",    "Sato",      "Larsen",    "Nielsen",   "Johansson", "Dubois",
    "Lefebvre",  "Rossi",     "Bianchi",   "Novak",     "Kowalski",  "Mensah",    "Okafor",
    "Singh",     "Sharma",    "Haddad",    "Petrov",    "Ivanova",   "Muller",    "Schneider",
};

constexpr std::string_view kEmailDomains[] = {
    "example.com",  "example.org",  "example.net",    "mail.test",     "inbox.test",
    "post.example", "lakemail.test", "fakemail.test", "corp.example",  "webmail.test",
};

constexpr std::string_view kStreetNames[] = {
    "Maple",     "Oak",        "Pine",       "Cedar",      "Elm",        "Birch",     "Willow",
    "Aspen",     "Spruce",     "Chestnut",   "Walnut",     "Hickory",    "Magnolia",  "Juniper",
    "Laurel",    "Poplar",     "Sycamore",   "Cypress",    "Hawthorn",   "Alder",     "Main",
    "High",      "Church",     "Mill",       "Station",    "Park",       "Lake",      "River",
    "Hill",      "Valley",     "Meadow",     "Forest",     "Spring",     "Bridge",    "Market",
    "School",    "Harbor",     "Bay",        "Ridge",      "Sunset",     "Sunrise",   "Highland",
    "Lincoln",   "Washington", "Franklin",   "Jefferson",  "Madison",    "Jackson",   "Adams",
    "Monroe",    "Grant",      "Wilson",     "Hamilton",   "Kennedy",    "Clinton",   "Cherry",
    "Orchard",   "Vineyard",   "Garden",     "Prospect",   "Pleasant",   "Union",     "Liberty",
    "Center",    "North",      "South",      "East",       "West",       "King",      "Queen",
    "Prince",    "Castle",     "Abbey",      "Chapel",     "Granite",    "Quarry",    "Canal",
    "Ferry",     "Dock",       "Wharf",      "Lighthouse", "Beacon",     "Summit",    "Glen",
    "Brook",     "Creek",      "Falls",      "Pond",       "Heather",    "Fern",      "Ivy",
    "Rose",      "Lily",       "Violet",     "Daisy",      "Holly",      "Clover",    "Thistle",
    "Windmill",  "Railway",    "Foundry",    "Tannery",    "Brewery",    "Copper",    "Silver",
};

constexpr std::string_view kStreetSuffixes[] = {
    "Street", "Avenue", "Road", "Lane", "Drive", "Court", "Place", "Boulevard",
    "Way",    "Terrace", "Close", "Crescent", "Row", "Square", "Parkway", "Trail",
};

constexpr std::string_view kCities[] = {
    "Springfield", "Riverton",   "Fairview",    "Greenville",  "Franklin",    "Clinton",
    "Madison",     "Georgetown", "Salem",       "Bristol",     "Dover",       "Ashland",
    "Oxford",      "Milford",    "Burlington",  "Manchester",  "Chester",     "Kingston",
    "Marion",      "Newport",    "Arlington",   "Lexington",   "Hudson",      "Jackson",
    "Auburn",      "Dayton",     "Lancaster",   "Winchester",  "Cleveland",   "Hamilton",
    "Portland",    "Plymouth",   "Richmond",    "Milton",      "Oakland",     "Lakewood",
    "Brookfield",  "Westfield",  "Fairfield",   "Centerville", "Mount Vernon", "Union City",
    "Cedar Falls", "Rock Hill",  "Pine Bluff",  "Elk Grove",   "Maple Ridge", "Silver Lake",
    "Stonebridge", "Harborview", "Northgate",   "Eastwood",    "Westbrook",   "Southport",
    "Glenwood",    "Highland",   "Riverside",   "Lakeside",    "Hillcrest",   "Brookside",
    "Amsterdam",   "Rotterdam",  "Antwerp",     "Lyon",        "Marseille",   "Toulouse",
    "Hamburg",     "Munich",     "Cologne",     "Leipzig",     "Vienna",      "Graz",
    "Zurich",      "Geneva",     "Milan",       "Turin",       "Naples",      "Bologna",
    "Madrid",      "Seville",    "Valencia",    "Porto",       "Lisbon",      "Dublin",
    "Cork",        "Edinburgh",  "Glasgow",     "Leeds",       "Bristol",     "Cardiff",
    "Oslo",        "Bergen",     "Stockholm",   "Gothenburg",  "Copenhagen",  "Aarhus",
    "Helsinki",    "Tampere",    "Warsaw",      "Krakow",      "Prague",      "Brno",
    "Budapest",    "Athens",     "Istanbul",    "Cairo",       "Nairobi",     "Accra",
    "Lagos",       "Cape Town",  "Mumbai",      "Pune",        "Bangalore",   "Chennai",
    "Osaka",       "Kyoto",      "Sapporo",     "Busan",       "Taipei",      "Hanoi",
    "Manila",      "Jakarta",    "Perth",       "Adelaide",    "Auckland",    "Wellington",
    "Toronto",     "Montreal",   "Calgary",     "Halifax",     "Quebec",      "Monterrey",
    "Guadalajara", "Bogota",     "Lima",        "Quito",       "Santiago",    "Cordoba",
};

constexpr std::string_view kCountries[] = {
    "United States", "Canada",      "Mexico",      "Brazil",       "Argentina",   "Chile",
    "Colombia",      "Peru",        "United Kingdom", "Ireland",   "France",      "Germany",
    "Netherlands",   "Belgium",     "Luxembourg",  "Switzerland",  "Austria",     "Italy",
    "Spain",         "Portugal",    "Denmark",     "Norway",       "Sweden",      "Finland",
    "Iceland",       "Poland",      "Czechia",     "Slovakia",     "Hungary",     "Romania",
    "Bulgaria",      "Greece",      "Turkey",      "Egypt",        "Morocco",     "Nigeria",
    "Ghana",         "Kenya",       "South Africa", "India",       "Pakistan",    "Bangladesh",
    "China",         "Japan",       "South Korea", "Vietnam",      "Thailand",    "Malaysia",
    "Singapore",     "Indonesia",   "Philippines", "Australia",    "New Zealand", "Estonia",
};

constexpr std::string_view kCompanyWords[] = {
    "Northwind",  "Blue Harbor", "Summit",     "Evergreen",  "Ironclad",   "Silverline",
    "Brightpath", "Keystone",    "Redwood",    "Pinnacle",   "Lighthouse", "Granite",
    "Crescent",   "Horizon",     "Vertex",     "Meridian",   "Cobalt",     "Sterling",
    "Riverstone", "Oakridge",    "Falcon",     "Harbor",     "Atlas",      "Nimbus",
    "Quantum",    "Polar",       "Beacon",     "Cascade",    "Copperleaf", "Driftwood",
    "Emberly",    "Foxglove",    "Goldcrest",  "Hollow Oak", "Indigo",     "Juniper",
    "Kestrel",    "Lumen",       "Mosaic",     "Nova",       "Orchid",     "Prairie",
    "Quarry",     "Rainier",     "Sable",      "Tidewater",  "Umber",      "Vanguard",
    "Willowbrook", "Yarrow",     "Zephyr",     "Acorn",      "Bramble",    "Cinder",
    "Delta",      "Echo",        "Fjord",      "Glacier",    "Highline",   "Isle",
    "Jetstream",  "Kite",        "Lantern",    "Maple Leaf", "Northstar",  "Obsidian",
    "Pioneer",    "Quill",       "Rampart",    "Sequoia",    "Trailhead",  "Upland",
    "Valor",      "Wavecrest",   "Windward",   "Starling",   "Bluebird",   "Red Fern",
};

constexpr std::string_view kCompanySuffixes[] = {
    "Inc",        "LLC",        "Ltd",          "Group",       "Holdings",  "Partners",
    "Logistics",  "Systems",    "Labs",         "Industries",  "Foods",     "Analytics",
    "Consulting", "Trading Co", "Manufacturing", "Software",   "Energy",    "Health",
};

constexpr std::string_view kJobs[] = {
    "Software Engineer",   "Data Analyst",        "Accountant",          "Nurse",
    "Teacher",             "Electrician",         "Plumber",             "Graphic Designer",
    "Product Manager",     "Sales Representative", "Marketing Manager",  "Chef",
    "Pharmacist",          "Architect",           "Civil Engineer",      "Mechanic",
    "Lawyer",              "Paralegal",           "Librarian",           "Journalist",
    "Photographer",        "Dentist",             "Physician",           "Veterinarian",
    "Carpenter",           "Welder",              "Pilot",               "Flight Attendant",
    "Truck Driver",        "Warehouse Associate", "Cashier",             "Barista",
    "Real Estate Agent",   "Financial Advisor",   "Actuary",             "Statistician",
    "Data Scientist",      "Systems Administrator", "Network Engineer",  "QA Engineer",
    "UX Researcher",       "Technical Writer",    "Translator",          "Social Worker",
    "Psychologist",        "Physiotherapist",     "Electrical Engineer", "Chemist",
    "Biologist",           "Farmer",              "Gardener",            "Baker",
    "Butcher",             "Tailor",              "Hairdresser",         "Fitness Trainer",
    "Project Manager",     "HR Specialist",       "Recruiter",           "Customer Support Agent",
    "Operations Manager",  "Logistics Coordinator", "Buyer",             "Auditor",
};

constexpr std::string_view kCategories[] = {
    "retail", "wholesale", "enterprise", "government", "education", "nonprofit", "startup",
    "individual",
};

constexpr std::string_view kNoteWords[] = {
    "customer", "asked",    "about",    "the",      "invoice",  "delivery", "was",
    "late",     "on",       "time",     "prefers",  "email",    "phone",    "contact",
    "renewal",  "due",      "next",     "month",    "quarter",  "discount", "applied",
    "order",    "shipped",  "returned", "damaged",  "package",  "follow",   "up",
    "with",     "account",  "manager",  "needs",    "new",      "quote",    "for",
    "bulk",     "pricing",  "updated",  "billing",  "address",  "moved",    "to",
    "a",        "plan",     "upgraded", "downgraded", "trial",  "ended",    "happy",
    "unhappy",  "service",  "support",  "ticket",   "closed",   "opened",   "escalated",
    "call",     "back",     "after",    "before",   "holiday",  "season",   "sample",
    "requested", "catalog", "sent",     "meeting",  "scheduled", "demo",    "went",
    "well",     "feedback", "positive", "negative", "mixed",    "loyal",    "since",
    "years",    "referral", "from",     "partner",  "vip",      "do",       "not",
    "call",     "weekends", "only",     "mornings", "prefers",  "paper",    "statements",
    "tax",      "exempt",   "certificate", "on",    "file",     "credit",   "limit",
    "raised",   "lowered",  "payment",  "received", "overdue",  "reminder", "and",
    "of",       "in",       "is",       "very",     "quick",    "slow",     "response",
};
// clang-format on

// Lower-cases ASCII names once, at first use.
std::vector<std::string_view> LowerAll(std::span<const std::string_view> in,
                                       std::vector<std::string>* storage) {
  storage->reserve(in.size());
  for (std::string_view s : in) {
    std::string lower;
    for (char c : s) {
      if (std::isalpha(static_cast<unsigned char>(c))) {
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
    }
    storage->push_back(std::move(lower));
  }
  return std::vector<std::string_view>(storage->begin(), storage->end());
}

}  // namespace

std::span<const std::string_view> FirstNames() { return kFirstNames; }
std::span<const std::string_view> LastNames() { return kLastNames; }
std::span<const std::string_view> FirstNamesLower() {
  static std::vector<std::string> storage;
  static const std::vector<std::string_view> lower = LowerAll(kFirstNames, &storage);
  return lower;
}
std::span<const std::string_view> LastNamesLower() {
  static std::vector<std::string> storage;
  static const std::vector<std::string_view> lower = LowerAll(kLastNames, &storage);
  return lower;
}
std::span<const std::string_view> EmailDomains() { return kEmailDomains; }
std::span<const std::string_view> StreetNames() { return kStreetNames; }
std::span<const std::string_view> StreetSuffixes() { return kStreetSuffixes; }
std::span<const std::string_view> Cities() { return kCities; }
std::span<const std::string_view> Countries() { return kCountries; }
std::span<const std::string_view> CompanyWords() { return kCompanyWords; }
std::span<const std::string_view> CompanySuffixes() { return kCompanySuffixes; }
std::span<const std::string_view> Jobs() { return kJobs; }
std::span<const std::string_view> Categories() { return kCategories; }
std::span<const std::string_view> NoteWords() { return kNoteWords; }

}  // namespace lakepack::gen

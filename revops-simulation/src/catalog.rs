//! The simulated company's reference data: where customers are, what they
//! are taxed, what is sold and what people are called.
//!
//! Plain tables so that a reader can see every value a generated book can
//! hold; rates are exact decimal strings.

use revops_core::Currency;
use rust_decimal::Decimal;

/// A tax jurisdiction a customer can be billed in.
#[derive(Clone, Copy, Debug)]
pub struct Jurisdiction {
    /// The `tax_jurisdiction` code on contracts (`US-NY`, `DE`).
    pub code: &'static str,
    /// Sales tax or VAT on invoiced amounts, as a fraction.
    pub rate: &'static str,
    /// ISO 3166 country of addresses there.
    pub country: &'static str,
    /// State or region of addresses there, where addresses carry one.
    pub region: Option<&'static str>,
    /// Cities for addresses.
    pub cities: &'static [&'static str],
    /// The currency customers there are billed in.
    pub currency: Currency,
}

impl Jurisdiction {
    /// The tax rate as a decimal fraction.
    pub fn tax_rate(&self) -> Decimal {
        self.rate.parse().expect("catalog tax rates are decimal literals")
    }
}

/// Where customers are, by currency; `OR` and `DE` have no tax (Oregon has
/// no sales tax; the German entry stands for intra-EU reverse charge).
pub const JURISDICTIONS: &[Jurisdiction] = &[
    Jurisdiction {
        code: "US-NY",
        rate: "0.08875",
        country: "US",
        region: Some("NY"),
        cities: &["New York", "Rochester", "Buffalo"],
        currency: Currency::USD,
    },
    Jurisdiction {
        code: "US-CA",
        rate: "0.0725",
        country: "US",
        region: Some("CA"),
        cities: &["San Francisco", "San Diego", "Sacramento"],
        currency: Currency::USD,
    },
    Jurisdiction {
        code: "US-TX",
        rate: "0.0625",
        country: "US",
        region: Some("TX"),
        cities: &["Austin", "Dallas", "Houston"],
        currency: Currency::USD,
    },
    Jurisdiction {
        code: "US-IL",
        rate: "0.0625",
        country: "US",
        region: Some("IL"),
        cities: &["Chicago", "Naperville"],
        currency: Currency::USD,
    },
    Jurisdiction {
        code: "US-OR",
        rate: "0",
        country: "US",
        region: Some("OR"),
        cities: &["Portland", "Eugene"],
        currency: Currency::USD,
    },
    Jurisdiction {
        code: "US-MA",
        rate: "0.0625",
        country: "US",
        region: Some("MA"),
        cities: &["Boston", "Cambridge"],
        currency: Currency::USD,
    },
    Jurisdiction {
        code: "DE",
        rate: "0",
        country: "DE",
        region: None,
        cities: &["Hamburg", "Berlin", "Munich"],
        currency: Currency::EUR,
    },
    Jurisdiction {
        code: "FR",
        rate: "0.20",
        country: "FR",
        region: None,
        cities: &["Paris", "Lyon"],
        currency: Currency::EUR,
    },
    Jurisdiction {
        code: "NL",
        rate: "0.21",
        country: "NL",
        region: None,
        cities: &["Amsterdam", "Rotterdam"],
        currency: Currency::EUR,
    },
    Jurisdiction {
        code: "GB",
        rate: "0.20",
        country: "GB",
        region: None,
        cities: &["London", "Manchester", "Edinburgh"],
        currency: Currency::GBP,
    },
];

/// The jurisdictions billed in `currency`.
pub fn jurisdictions_in(currency: Currency) -> impl Iterator<Item = &'static Jurisdiction> {
    JURISDICTIONS.iter().filter(move |j| j.currency == currency)
}

/// First words of customer names.
pub const NAME_STEMS: &[&str] = &[
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Stark",
    "Wayne",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Wonka",
    "Gringotts",
    "Vandelay",
    "Oscorp",
    "Massive",
    "Aperture",
    "Black Mesa",
    "Monarch",
    "Dunder",
    "Pied Piper",
    "Nakatomi",
    "Virtucon",
    "Zorg",
    "Prestige",
    "Sterling",
    "Bluth",
    "Krusty",
    "Duff",
    "Gekko",
    "Ollivander",
];

/// Second words of customer names.
pub const NAME_TRADES: &[&str] = &[
    "Manufacturing",
    "Logistics",
    "Health",
    "Research",
    "Software",
    "Foods",
    "Energy",
    "Retail",
    "Capital",
    "Media",
    "Aerospace",
    "Biotech",
    "Freight",
    "Insurance",
    "Robotics",
];

/// Legal-form suffixes by country.
pub fn legal_suffix(country: &str) -> &'static str {
    match country {
        "DE" => "GmbH",
        "FR" => "SAS",
        "NL" => "B.V.",
        "GB" => "Ltd",
        _ => "Inc.",
    }
}

/// Given names of contacts and employees.
pub const GIVEN_NAMES: &[&str] = &[
    "Priya", "Katrin", "Marcus", "Aiko", "Jonas", "Fatima", "Diego", "Sofia", "Liam", "Mei", "Omar", "Elena", "Noah",
    "Grace", "Tariq", "Ines", "Hugo", "Maya", "Ravi", "Chloe",
];

/// Family names of contacts and employees.
pub const FAMILY_NAMES: &[&str] = &[
    "Natarajan",
    "Vogel",
    "Okafor",
    "Tanaka",
    "Berg",
    "Haddad",
    "Alvarez",
    "Rossi",
    "Murphy",
    "Chen",
    "Farouk",
    "Petrova",
    "Schmidt",
    "Kim",
    "Dubois",
    "Silva",
    "Novak",
    "Patel",
    "Laurent",
    "Walsh",
];

/// Streets for addresses.
pub const STREETS: &[&str] =
    &["Industrial Parkway", "Main Street", "Harbour Road", "Market Square", "Station Road", "Elm Avenue"];

/// Who approves credit memos: the VP Revenue Operations.
pub const VP_REVENUE_OPERATIONS: &str = "Dana Whitfield";

/// Who reviews disputes.
pub const DISPUTE_REVIEWERS: &[&str] = &["AR analyst Sam Ortiz", "AR analyst Lena Brandt"];

/// Where disputes are escalated.
pub const ESCALATION_TARGETS: &[&str] = &["Controller", "VP Revenue Operations", "CFO"];

/// Why customers cancel.
pub const CHURN_REASONS: &[&str] =
    &["budget cuts", "moved to a competitor", "acquired; consolidating vendors", "project ended", "low adoption"];

/// Partner names.
pub const PARTNER_NAMES: &[&str] = &[
    "SI-NORTH",
    "SI-SOUTH",
    "RESELL-EU",
    "RESELL-UK",
    "CLOUDMKT",
    "ADVISORY-1",
    "ADVISORY-2",
    "VAR-WEST",
    "VAR-EAST",
    "ALLIANCE-9",
];

/// A product line of the catalog.
#[derive(Clone, Copy, Debug)]
pub struct Product {
    /// Product name on contracts and invoices.
    pub name: &'static str,
    /// Smallest and largest list price, in whole currency units (per year
    /// for subscriptions, per hour for T&M, per million units for usage
    /// (priced per unit below), per deal otherwise).
    pub price: (i64, i64),
}

/// Subscriptions.
pub const SUBSCRIPTIONS: &[Product] = &[
    Product { name: "Revops Cloud Professional", price: (6_000, 60_000) },
    Product { name: "Revops Cloud Enterprise", price: (36_000, 240_000) },
    Product { name: "Premium Support", price: (2_400, 24_000) },
    Product { name: "Analytics add-on", price: (3_600, 30_000) },
];

/// Perpetual licenses.
pub const LICENSES: &[Product] = &[
    Product { name: "ERP connector license", price: (8_000, 40_000) },
    Product { name: "On-premise gateway license", price: (15_000, 90_000) },
];

/// Milestone services.
pub const IMPLEMENTATIONS: &[Product] = &[
    Product { name: "Implementation services", price: (12_000, 150_000) },
    Product { name: "Data migration project", price: (8_000, 60_000) },
];

/// Hourly services (rate per hour).
pub const CONSULTING: &[Product] = &[
    Product { name: "Consulting hours", price: (150, 260) },
    Product { name: "Solution architect", price: (220, 320) },
];

/// Metered products; the price range is in ten-thousandths per unit.
pub const METERED: &[Product] =
    &[Product { name: "API calls", price: (10, 40) }, Product { name: "Data processed (GB)", price: (500, 2_500) }];

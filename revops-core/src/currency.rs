//! ISO 4217 currencies with their minor units.

use core::fmt;
use core::str::FromStr;

use crate::Error;

macro_rules! currencies {
    ($( $code:ident = $units:literal, $name:literal; )*) => {
        /// An ISO 4217 currency that revops knows the minor unit of.
        ///
        /// Only currencies listed here can be represented, so a `Currency`
        /// always has a known number of minor units (decimal places).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Currency {
            $(
                #[doc = $name]
                $code,
            )*
        }

        impl Currency {
            /// Every supported currency, in code order.
            pub const ALL: &'static [Currency] = &[$(Currency::$code,)*];

            /// The three-letter ISO 4217 code, e.g. `"USD"`.
            pub const fn code(self) -> &'static str {
                match self {
                    $(Currency::$code => stringify!($code),)*
                }
            }

            /// Number of decimal places of the minor unit: 2 for USD, 0 for
            /// JPY, 3 for BHD.
            #[inline]
            pub const fn minor_units(self) -> u32 {
                match self {
                    $(Currency::$code => $units,)*
                }
            }
        }

        /// Each code packed as [`Currency::from_code`] matches it.
        #[allow(non_upper_case_globals)]
        mod packed {
            $(pub(super) const $code: u32 = super::pack(stringify!($code).as_bytes());)*
        }

        impl Currency {
            /// The currency with the three-letter code `code` (exactly, in
            /// capitals), as a log stores it: one integer match, no string
            /// comparisons, for the event reader's hot path.
            #[inline]
            pub const fn from_code(code: [u8; 3]) -> Option<Currency> {
                match pack(&code) {
                    $(packed::$code => Some(Currency::$code),)*
                    _ => None,
                }
            }
        }

        impl FromStr for Currency {
            type Err = Error;

            fn from_str(code: &str) -> Result<Self, Error> {
                <[u8; 3]>::try_from(code.as_bytes())
                    .ok()
                    .and_then(Currency::from_code)
                    .ok_or_else(|| Error::UnknownCurrency { code: code.into() })
            }
        }
    };
}

currencies! {
    AED = 2, "UAE dirham";
    AUD = 2, "Australian dollar";
    BHD = 3, "Bahraini dinar";
    BRL = 2, "Brazilian real";
    CAD = 2, "Canadian dollar";
    CHF = 2, "Swiss franc";
    CNY = 2, "Chinese yuan";
    DKK = 2, "Danish krone";
    EUR = 2, "Euro";
    GBP = 2, "Pound sterling";
    HKD = 2, "Hong Kong dollar";
    INR = 2, "Indian rupee";
    JOD = 3, "Jordanian dinar";
    JPY = 0, "Japanese yen";
    KRW = 0, "South Korean won";
    KWD = 3, "Kuwaiti dinar";
    MXN = 2, "Mexican peso";
    NOK = 2, "Norwegian krone";
    NZD = 2, "New Zealand dollar";
    OMR = 3, "Omani rial";
    SEK = 2, "Swedish krona";
    SGD = 2, "Singapore dollar";
    USD = 2, "United States dollar";
    ZAR = 2, "South African rand";
}

/// Three bytes as one integer (the first three of `code`).
const fn pack(code: &[u8]) -> u32 {
    u32::from_le_bytes([code[0], code[1], code[2], 0])
}

impl Currency {
    /// `10^minor_units`: how many minor units make one major unit.
    pub const fn minor_per_major(self) -> i64 {
        10i64.pow(self.minor_units())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        code.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor_units_of_the_named_currencies() {
        let expected = [
            (Currency::USD, 2),
            (Currency::EUR, 2),
            (Currency::GBP, 2),
            (Currency::INR, 2),
            (Currency::JPY, 0),
            (Currency::CHF, 2),
            (Currency::CAD, 2),
            (Currency::AUD, 2),
            (Currency::BHD, 3),
            (Currency::KWD, 3),
        ];
        for (currency, units) in expected {
            assert_eq!(currency.minor_units(), units, "{currency}");
        }
        assert_eq!(Currency::BHD.minor_per_major(), 1000);
        assert_eq!(Currency::JPY.minor_per_major(), 1);
    }

    #[test]
    fn codes_round_trip_and_unknown_codes_are_errors() {
        for &currency in Currency::ALL {
            assert_eq!(currency.code().parse::<Currency>(), Ok(currency));
        }
        assert_eq!("usd".parse::<Currency>(), Err(Error::UnknownCurrency { code: "usd".into() }));
        assert!("XXX".parse::<Currency>().is_err());
        for code in ["", "US", "USDX", "USD ", " USD", "US\u{0}"] {
            assert_eq!(code.parse::<Currency>(), Err(Error::UnknownCurrency { code: code.into() }), "{code:?}");
        }
    }

    #[test]
    fn from_code_reads_exactly_the_three_capitals_of_a_code() {
        for &currency in Currency::ALL {
            let code = currency.code().as_bytes();
            assert_eq!(Currency::from_code([code[0], code[1], code[2]]), Some(currency));
        }
        assert_eq!(Currency::from_code(*b"USD"), Some(Currency::USD));
        for unknown in [*b"usd", *b"XXX", *b"US\0", [0, 0, 0], [0xFF, b'S', b'D']] {
            assert_eq!(Currency::from_code(unknown), None, "{unknown:?}");
        }
    }

    #[test]
    fn all_is_sorted_by_code() {
        assert!(Currency::ALL.windows(2).all(|w| w[0].code() < w[1].code()));
    }
}

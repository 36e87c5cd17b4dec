//! Free text an event carries: descriptions, purchase order numbers.

use core::fmt;
use core::ops::Deref;

use compact_str::CompactString;

/// Free text of an event (an invoice line's description, a purchase order
/// number): any string, kept inline up to 24 bytes, so that reading the log
/// allocates nothing for the short texts nearly every invoice carries.
///
/// Stored and written as the plain string it holds (in JSON and in the
/// file log alike).
///
/// ```
/// use revops_events::Text;
///
/// let description = Text::from("Platform subscription");
/// assert_eq!(description, "Platform subscription");
/// assert_eq!(description.len(), 21);
/// assert_eq!(serde_json::to_string(&description)?, r#""Platform subscription""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct Text(#[rkyv(with = crate::file_log::archive::InlineText)] CompactString);

impl Text {
    /// The text as a string slice.
    #[inline]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Text {
        Text(CompactString::new(text))
    }
}

impl From<String> for Text {
    fn from(text: String) -> Text {
        Text(CompactString::from(text))
    }
}

impl From<Text> for String {
    fn from(text: Text) -> String {
        text.0.into_string()
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
        struct Visitor;

        impl serde::de::Visitor<'_> for Visitor {
            type Value = Text;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Text, E> {
                Ok(Text::from(text))
            }
        }

        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_texts_read_back_as_written() {
        for s in ["", "PO-1", "exactly twenty-four byte", "a description longer than twenty-four bytes, stored apart"] {
            let text = Text::from(s);
            assert_eq!((text.as_str(), &*text, text.to_string()), (s, s, s.to_owned()));
            assert_eq!(format!("{text:?}"), format!("{s:?}"));
            assert_eq!(String::from(text.clone()), s);
            assert_eq!(Text::from(s.to_owned()), text);
            let json = serde_json::to_string(&text).unwrap();
            assert_eq!(json, serde_json::to_string(s).unwrap());
            assert_eq!(serde_json::from_str::<Text>(&json).unwrap(), text);
        }
    }

    #[test]
    fn anything_but_a_string_is_refused() {
        let error = serde_json::from_str::<Text>("12").unwrap_err().to_string();
        assert!(error.contains("expected a string"), "{error}");
        assert!(serde_json::from_str::<Text>("null").is_err());
    }
}

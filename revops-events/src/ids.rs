//! Entity ids: the caller's own keys (CRM, ERP), one type per kind of entity
//! so that an invoice id can never be passed where a contract id belongs.

use core::fmt;

use compact_str::CompactString;

use crate::Error;

/// The longest id accepted, in bytes.
pub const MAX_ID_LEN: usize = 128;

macro_rules! entity_ids {
    ($( $(#[$doc:meta])* $name:ident => $kind:literal; )*) => {$(
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        #[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
        pub struct $name(#[rkyv(with = crate::file_log::archive::InlineText)] CompactString);

        impl $name {
            /// The id `id`: non-empty, at most [`MAX_ID_LEN`] bytes, no
            /// control characters.
            pub fn new(id: impl Into<String>) -> Result<Self, Error> {
                let id = id.into();
                check_id($kind, &id)?;
                Ok($name(CompactString::from(id)))
            }

            /// The id as the caller wrote it.
            #[inline]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = Error;

            fn try_from(id: String) -> Result<Self, Error> {
                $name::new(id)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0.into_string()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    )*};
}

fn check_id(kind: &'static str, id: &str) -> Result<(), Error> {
    let problem = if id.is_empty() {
        "is empty"
    } else if id.len() > MAX_ID_LEN {
        "is longer than 128 bytes"
    } else if id.chars().any(char::is_control) {
        "contains a control character"
    } else {
        return Ok(());
    };
    Err(Error::InvalidId { kind, id: id.chars().take(MAX_ID_LEN).collect(), problem })
}

entity_ids! {
    /// A customer (the bill-to account).
    CustomerId => "customer";
    /// A contract.
    ContractId => "contract";
    /// A deal in the CRM that a contract closes.
    DealId => "deal";
    /// A contract line (unique within its contract).
    LineId => "line";
    /// A milestone (unique within its line).
    MilestoneId => "milestone";
    /// An invoice.
    InvoiceId => "invoice";
    /// A payment.
    PaymentId => "payment";
    /// A credit memo.
    CreditMemoId => "credit memo";
    /// An invoice dispute.
    DisputeId => "dispute";
    /// A commission plan.
    PlanId => "commission plan";
    /// A sales rep (account executive).
    RepId => "rep";
    /// A commission dispute.
    CommissionDisputeId => "commission dispute";
    /// A channel partner.
    PartnerId => "partner";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked() {
        assert_eq!(CustomerId::new("ACME-1").unwrap().as_str(), "ACME-1");
        assert_eq!(
            InvoiceId::new(""),
            Err(Error::InvalidId { kind: "invoice", id: String::new(), problem: "is empty" })
        );
        assert!(ContractId::new("a\nb").is_err());
        assert!(ContractId::new("x".repeat(129)).is_err());
        assert!(ContractId::new("x".repeat(128)).is_ok());
        let json = serde_json::to_string(&PaymentId::new("P-9").unwrap()).unwrap();
        assert_eq!(json, r#""P-9""#);
        assert!(serde_json::from_str::<PaymentId>(r#""""#).is_err());
    }
}

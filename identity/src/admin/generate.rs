//! Synthetic customers for the search benchmark and for trying the support view at
//! scale (`foyer users generate --count N`): plausible names, addresses on reserved
//! domains (`example.com`, `example.org`, `example.net`, RFC 2606) and phone numbers in
//! Ofcom's drama range (+44 7700 900000–900999 repeats; they reach no one). Made
//! deterministically from a seed, imported through the ordinary import.

use crate::import::{ImportRecord, ImportReport};
use crate::principal::Principal;
use crate::{Identity, Result};

/// Customers per import transaction.
const CHUNK: usize = 5_000;

impl Identity {
    /// Imports `count` synthetic customers of population `seed`, in transactions of
    /// [`CHUNK`] (the import's rules and audit; re-running adds nobody twice).
    pub async fn generate_customers(&self, principal: &Principal, seed: u64, count: usize) -> Result<ImportReport> {
        let mut total = ImportReport::default();
        let mut start = 0;
        while start < count {
            let n = CHUNK.min(count - start);
            let report = self.import_customers(principal, &synthetic_customers(seed, start, n)).await?;
            total.imported += report.imported;
            total.already_present += report.already_present;
            start += n;
        }
        Ok(total)
    }
}

const GIVEN: [&str; 40] = [
    "Ada", "Alan", "Amara", "Anna", "Arjun", "Beatriz", "Ben", "Chen", "Chloé", "Dara", "David", "Elif", "Emma", "Fatima", "Felix", "Grace", "Hana", "Hugo",
    "Ines", "Isaac", "Jamal", "Jonas", "Kai", "Lena", "Leo", "Lucía", "Maya", "Mateo", "Mia", "Noah", "Nora", "Omar", "Priya", "Rosa", "Sami", "Sofia",
    "Tomás", "Yara", "Yusuf", "Zoë",
];
const FAMILY: [&str; 40] = [
    "Adeyemi", "Andersen", "Babbage", "Becker", "Costa", "Dubois", "Eriksson", "Fernández", "Fischer", "García", "Hansen", "Hoffmann", "Ivanova", "Jensen",
    "Kaur", "Khan", "King", "Kowalski", "Lambert", "Lovelace", "Martin", "Müller", "Nakamura", "Nguyen", "Novak", "O'Brien", "Okafor", "Öztürk", "Patel",
    "Rossi", "Santos", "Schmidt", "Silva", "Smith", "Sousa", "Tanaka", "Van Dijk", "Wagner", "Wang", "Zhang",
];
const DOMAINS: [&str; 3] = ["example.com", "example.org", "example.net"];

/// Customers `start .. start + count` of the synthetic population `seed` (the same
/// numbers always give the same people; addresses are unique per number).
pub fn synthetic_customers(seed: u64, start: usize, count: usize) -> Vec<ImportRecord> {
    (start..start + count)
        .filter_map(|n| {
            let mut x = (n as u64).wrapping_add(seed).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            x ^= x >> 31;
            let given = GIVEN[(x % 40) as usize];
            let family = FAMILY[((x >> 8) % 40) as usize];
            let domain = DOMAINS[((x >> 16) % 3) as usize];
            let local: String = format!("{given}.{family}.").chars().filter(|c| c.is_ascii_alphanumeric() || *c == '.').collect::<String>().to_lowercase();
            let email = format!("{local}{n}@{domain}");
            let phone = format!("+44 7700 9{:05}", (x >> 24) % 100_000);
            ImportRecord::checked(n + 1, &email, given, family, &phone).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_unique_and_valid() {
        let a = synthetic_customers(7, 0, 500);
        assert_eq!(a.len(), 500, "every generated record passes the import's checks");
        let b = synthetic_customers(7, 0, 500);
        assert_eq!(format!("{a:?}"), format!("{b:?}"), "the same seed, the same people");
        let mut emails: Vec<String> = a.iter().map(|r| format!("{r:?}")).collect();
        emails.sort();
        emails.dedup();
        assert_eq!(emails.len(), 500);
    }
}

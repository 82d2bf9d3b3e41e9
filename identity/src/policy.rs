//! The password policy (ASVS 6.2, NIST 800-63B), shared by the browser's strength meter
//! and the server's authoritative check.
//!
//! - 8 to 1,024 code points, any Unicode, never truncated or case-folded;
//! - no composition rules;
//! - refused when zxcvbn scores it below 3 (its lists hold the most common passwords),
//!   or when it contains the customer's email, email name or a name of 3+ characters.
//!
//! The work is bounded whatever the caller passes: the password's length is checked
//! first (bytes, then code points), zxcvbn sees at most its first 100 characters, and
//! the personal inputs are capped ([`personal_words`]) before they are matched or
//! handed to zxcvbn as its user dictionary.
//!
//! zxcvbn's dictionaries are megabytes of data, so only the server (`server` feature)
//! links them: the browser runs [`precheck`] (length, personal words) at once and asks
//! the server for the rest (`docs/design/accounts.md` "Password policy").

/// Fewest code points.
pub const MIN_CHARS: usize = 8;
/// Most code points.
pub const MAX_CHARS: usize = 1024;
/// zxcvbn's score (0..=4) a password needs.
pub const MIN_SCORE: u8 = 3;
/// Code points of each personal input looked at (an email address is at most 254).
pub const MAX_PERSONAL_CHARS: usize = 254;
/// Personal inputs looked at (email, given, family and display name).
pub const MAX_PERSONAL_INPUTS: usize = 8;
/// Words taken from the personal inputs (for matching and for zxcvbn).
pub const MAX_PERSONAL_WORDS: usize = 64;

/// What the meter shows and the server enforces.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Assessment {
    /// 0 (very weak) ..= 4 (very strong).
    pub score: u8,
    /// Why the password is refused; `None` when it is acceptable.
    pub problem: Option<String>,
    /// A hint for a better password (may be present even when acceptable).
    pub suggestion: Option<String>,
}

impl Assessment {
    pub fn acceptable(&self) -> bool {
        self.problem.is_none()
    }
}

/// The length rule alone (cheap: callers check it before any throttle or hashing).
pub fn length_problem(password: &str) -> Option<Assessment> {
    // More bytes than MAX_CHARS four-byte code points cannot be within the limit.
    let chars = if password.len() > MAX_CHARS * 4 { MAX_CHARS + 1 } else { password.chars().count() };
    if chars < MIN_CHARS {
        return Some(Assessment {
            score: 0,
            problem: Some(format!("Use at least {MIN_CHARS} characters.")),
            suggestion: Some("A few unrelated words make a long password that is easy to remember.".into()),
        });
    }
    (chars > MAX_CHARS).then(|| Assessment { score: 0, problem: Some(format!("Use at most {MAX_CHARS} characters.")), suggestion: None })
}

/// The words of the personal inputs a password must not contain, lowercased: each
/// whole input, an email's local part, and its words of 3+ characters. Bounded
/// whatever the inputs: at most [`MAX_PERSONAL_INPUTS`] inputs of their first
/// [`MAX_PERSONAL_CHARS`] code points, at most [`MAX_PERSONAL_WORDS`] words.
pub fn personal_words(personal: &[&str]) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let capped = personal.iter().take(MAX_PERSONAL_INPUTS).map(|s| s.trim().chars().take(MAX_PERSONAL_CHARS).collect::<String>());
    for input in capped.map(|s| s.to_lowercase()).filter(|s| !s.is_empty()) {
        if let Some((local, _)) = input.split_once('@') {
            words.push(local.to_owned());
        }
        words.extend(input.split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().count() >= 3).map(str::to_owned));
        words.push(input);
    }
    words.truncate(MAX_PERSONAL_WORDS);
    words
}

/// The rules that need no dictionary: `Err` with the refusal, or `Ok` with the personal
/// words (lowercased, capped) that zxcvbn should also treat as guessable.
pub fn precheck(password: &str, personal: &[&str]) -> Result<Vec<String>, Assessment> {
    if let Some(refused) = length_problem(password) {
        return Err(refused);
    }
    let lowered = password.to_lowercase();
    let words = personal_words(personal);
    if words.iter().any(|w| w.chars().count() >= 3 && lowered.contains(w.as_str())) {
        return Err(Assessment {
            score: 0,
            problem: Some("Don't use your name or email address in your password.".into()),
            suggestion: None,
        });
    }
    Ok(words)
}

/// Judges `password` for an account with these `personal` inputs (email, names).
#[cfg(feature = "server")]
pub fn assess(password: &str, personal: &[&str]) -> Assessment {
    let words = match precheck(password, personal) {
        Ok(words) => words,
        Err(refused) => return refused,
    };
    // zxcvbn looks at the first 100 characters; longer passphrases are strong by length.
    let head: String = password.chars().take(100).collect();
    let inputs: Vec<&str> = words.iter().map(String::as_str).collect();
    let entropy = zxcvbn::zxcvbn(&head, &inputs);
    let score = u8::from(entropy.score());
    let feedback = entropy.feedback();
    let suggestion = feedback.and_then(|f| f.suggestions().first().map(ToString::to_string));
    if score < MIN_SCORE {
        let warning = feedback.and_then(|f| f.warning().map(|w| w.to_string()));
        return Assessment {
            score,
            problem: Some(warning.unwrap_or_else(|| "This password is too easy to guess.".into())),
            suggestion: suggestion.or_else(|| Some("Add another word or two; uncommon words are better.".into())),
        };
    }
    Assessment { score, problem: None, suggestion }
}

#[cfg(all(test, feature = "server"))]
mod tests {
    use super::*;

    #[test]
    fn length_is_counted_in_code_points() {
        assert!(!assess("åäö123", &[]).acceptable());
        assert_eq!(assess("short", &[]).problem.as_deref(), Some("Use at least 8 characters."));
        assert!(!assess(&"x".repeat(MAX_CHARS + 1), &[]).acceptable());
        // Eight emoji are eight characters (and 32 bytes): long enough.
        let emoji = assess("🦀🐙🦑🐳🦈🐠🐡🦐", &[]);
        assert_ne!(emoji.problem.as_deref(), Some("Use at least 8 characters."));
    }

    #[test]
    fn huge_personal_inputs_are_capped() {
        let huge_name = "Annabelle ".repeat(10_000);
        let huge_email = format!("{}@example.com", "a".repeat(100_000));
        let many: Vec<&str> = std::iter::repeat_n(huge_name.as_str(), 50).chain([huge_email.as_str()]).collect();
        let words = personal_words(&many);
        assert!(words.len() <= MAX_PERSONAL_WORDS, "{} words", words.len());
        assert!(words.iter().all(|w| w.chars().count() <= MAX_PERSONAL_CHARS), "every word is capped");
        // Only the first inputs are looked at: the email after 50 names is not.
        assert!(!words.iter().any(|w| w.contains('@')));
        // Still refused for the name it contains, and judged with the capped inputs.
        assert!(!assess("annabelle-rocks-2024!", &many).acceptable());
        assert!(assess("correct horse battery staple", &many).acceptable());
        assert_eq!(length_problem(&"x".repeat(5 * MAX_CHARS)).and_then(|a| a.problem).as_deref(), Some("Use at most 1024 characters."));
    }

    #[test]
    fn common_passwords_are_refused() {
        for common in ["password", "password123", "qwertyuiop", "iloveyou1", "12345678", "letmein!"] {
            assert!(!assess(common, &[]).acceptable(), "{common} accepted");
        }
    }

    #[test]
    fn personal_words_are_refused() {
        let personal = ["ann.lee@example.com", "Annabelle", "Leeworth"];
        assert!(!assess("annabelle-rocks-2024!", &personal).acceptable());
        assert!(!assess("my ann.lee@example.com pw", &personal).acceptable());
        assert!(!assess("LEEWORTH gardening club", &personal).acceptable(), "case does not hide a name");
    }

    #[test]
    fn long_unrelated_passphrases_pass_without_composition_rules() {
        let a = assess("correct horse battery staple", &["ann@example.com"]);
        assert!(a.acceptable(), "{a:?}");
        assert!(a.score >= MIN_SCORE);
        assert!(assess("ünïcödé wörds ärë fïnë hërë", &[]).acceptable());
        assert!(assess(&"long passphrase ".repeat(60), &[]).acceptable(), "1000+ chars are fine");
    }
}

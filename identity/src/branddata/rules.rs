//! The rules of brand data, pure: attribute keys, labels, declarations (what the
//! operator types), the check of a customer's value against its declaration, topics and
//! the contact frequencies (`docs/design/consent.md` "Brand attributes", "Preferences").

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::ParseError;
use crate::i18n::Locale;

/// How often a brand may write, as the customer chose (unset: the brand's default).
pub const FREQUENCIES: [&str; 4] = ["as_it_happens", "weekly", "monthly", "never"];
/// No value is longer than this, whatever its declaration says (checked first).
pub const MAX_VALUE_CHARS: usize = 1000;
/// A text attribute's length limit when its declaration names none.
pub const DEFAULT_TEXT_MAX: usize = 200;
/// A declared pattern's length limit, and its compiled size limit (bytes).
pub const MAX_PATTERN_CHARS: usize = 200;
const PATTERN_SIZE_LIMIT: usize = 1 << 20;
/// At most this many attributes on one sign-in form ("a short form").
pub const MAX_PER_FORM: usize = 3;
/// At most this many attributes per brand (and for the group), and topics per brand.
pub const MAX_ATTRIBUTES: usize = 50;
pub const MAX_TOPICS: usize = 30;
const MAX_LABEL_CHARS: usize = 80;
const MAX_CHOICES: usize = 50;

/// Names an attribute key may not take: OpenID Connect's standard claims, the JWT and
/// ID token claims, and Foyer's own (an RP reading `attributes.email` must never wonder
/// which one is meant).
pub const RESERVED_KEYS: &[&str] = &[
    "sub", "name", "given_name", "family_name", "middle_name", "nickname", "preferred_username", "profile", "picture", "website",
    "email", "email_verified", "gender", "birthdate", "zoneinfo", "locale", "phone_number", "phone_number_verified", "address",
    "updated_at", "iss", "aud", "exp", "iat", "nbf", "jti", "auth_time", "nonce", "acr", "amr", "azp", "at_hash", "c_hash", "sid",
    "scope", "client_id", "events", "token_type", "cnf", "attributes", "preferences", "consents", "language", "frequency", "topics",
];

/// Text per shipped language tag; `en` is always present.
pub type Labels = BTreeMap<String, String>;

/// The label for `lang`, else the English one.
pub fn label_in<'a>(labels: &'a Labels, lang: &str) -> &'a str {
    labels.get(lang).or_else(|| labels.get("en")).map_or("", String::as_str)
}

/// What kind of value an attribute holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Text,
    Number,
    Date,
    Choice,
}

impl Kind {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "text" => Some(Self::Text),
            "number" => Some(Self::Number),
            "date" => Some(Self::Date),
            "choice" => Some(Self::Choice),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Number => "number",
            Self::Date => "date",
            Self::Choice => "choice",
        }
    }
}

/// One value of a choice attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    pub labels: Labels,
}

/// A declaration's validation, by kind (absent members: no limit).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Rules {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_number: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_number: Option<f64>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub integer: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_date: Option<String>,
}

/// A declared attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub id: String,
    /// `None`: the group's own (every brand reads it).
    pub brand_id: Option<String>,
    pub key: String,
    pub labels: Labels,
    pub kind: Kind,
    pub choices: Vec<Choice>,
    pub rules: Rules,
    pub required: bool,
    pub ask_at_sign_in: bool,
    /// Every brand reads it (always for the group's own).
    pub group_wide: bool,
    pub position: i64,
}

/// An attribute as the operator typed it (`foyer attribute create`); checked by
/// [`AttributeSpec::check`].
#[derive(Debug, Clone, Default)]
pub struct AttributeSpec {
    pub key: String,
    /// `LANG=Label`, e.g. `en=Seat`.
    pub labels: Vec<String>,
    pub kind: String,
    /// `VALUE=LANG:Label,LANG:Label`, e.g. `aisle=en:Aisle,de:Gang`.
    pub choices: Vec<String>,
    pub max_length: Option<String>,
    pub pattern: Option<String>,
    /// A number or a `YYYY-MM-DD` date, by kind.
    pub min: Option<String>,
    pub max: Option<String>,
    pub integer: bool,
    pub required: bool,
    pub ask_at_sign_in: bool,
    pub group_wide: bool,
}

/// A checked declaration, before it has an id and a brand.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedSpec {
    pub key: String,
    pub labels: Labels,
    pub kind: Kind,
    pub choices: Vec<Choice>,
    pub rules: Rules,
    pub required: bool,
    pub ask_at_sign_in: bool,
    pub group_wide: bool,
}

fn rejected(field: &'static str, reason: String) -> ParseError {
    ParseError::Rejected { field, reason }
}

/// An attribute or topic key: `[a-z][a-z0-9_]{0,39}`.
pub fn check_key(field: &'static str, key: &str) -> Result<String, ParseError> {
    let k = key.trim();
    let mut bytes = k.bytes();
    let shape = k.len() <= 40
        && bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !shape {
        return Err(rejected(field, format!("{field} {k:?} is not valid: use a-z, 0-9 and _, starting with a letter, at most 40 characters.")));
    }
    Ok(k.to_owned())
}

/// A choice's value: `[a-z0-9][a-z0-9_-]{0,39}`.
fn check_choice_value(value: &str) -> Result<String, ParseError> {
    let v = value.trim();
    let mut bytes = v.bytes();
    let shape = v.len() <= 40
        && bytes.next().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if !shape {
        return Err(rejected("Choice", format!("Choice value {v:?} is not valid: use a-z, 0-9, _ and -, at most 40 characters.")));
    }
    Ok(v.to_owned())
}

/// Labels from `LANG<sep>Text` items: shipped languages only, each once, `en` present,
/// 1 to 80 characters without control characters.
fn check_labels(field: &'static str, items: &[&str], sep: char) -> Result<Labels, ParseError> {
    let mut labels = Labels::new();
    for item in items {
        let Some((lang, text)) = item.split_once(sep) else {
            return Err(rejected(field, format!("{field} {item:?} is not valid: use LANG{sep}Text, e.g. en{sep}Seat.")));
        };
        let lang = lang.trim();
        if !Locale::ALL.iter().any(|l| l.tag() == lang) {
            let shipped: Vec<&str> = Locale::ALL.iter().map(|l| l.tag()).collect();
            return Err(rejected(field, format!("{field} language {lang:?} is not shipped: use {}.", shipped.join(", "))));
        }
        let text = text.trim();
        if text.is_empty() || text.chars().count() > MAX_LABEL_CHARS || text.chars().any(char::is_control) {
            return Err(rejected(field, format!("{field} for {lang} must be 1 to {MAX_LABEL_CHARS} characters without control characters.")));
        }
        if labels.insert(lang.to_owned(), text.to_owned()).is_some() {
            return Err(rejected(field, format!("{field} for {lang} is given twice.")));
        }
    }
    if !labels.contains_key("en") {
        return Err(rejected(field, format!("{field} in English is required (en{sep}…).")));
    }
    Ok(labels)
}

/// `--label en=Seat --label de=Sitzplatz`.
pub fn parse_labels(items: &[String]) -> Result<Labels, ParseError> {
    let items: Vec<&str> = items.iter().map(String::as_str).collect();
    check_labels("Label", &items, '=')
}

/// `KEY=LANG:Text,LANG:Text` (a choice or a topic): the key and its labels.
pub fn parse_keyed(field: &'static str, item: &str) -> Result<(String, Labels), ParseError> {
    let Some((key, rest)) = item.split_once('=') else {
        return Err(rejected(field, format!("{field} {item:?} is not valid: use KEY=en:Text,de:Text.")));
    };
    let items: Vec<&str> = rest.split(',').collect();
    Ok((key.trim().to_owned(), check_labels(field, &items, ':')?))
}

/// A number as the rules accept it: finite, plain decimal notation.
fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim();
    let plain = !s.is_empty() && s.len() <= 40 && s.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.'));
    s.parse::<f64>().ok().filter(|n| plain && n.is_finite())
}

/// The canonical text of a number (no exponent, no trailing `.0`).
fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 { format!("{}", n as i64) } else { format!("{n}") }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// A real calendar date written `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<String> {
    let s = s.trim();
    let mut parts = s.split('-');
    let (Some(y), Some(m), Some(d), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else { return None };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 || !s.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return None;
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else { return None };
    ((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m)).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// A declared pattern, compiled to match the whole value (linear time, bounded size).
fn compile(pattern: &str) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(&format!("^(?:{pattern})$")).size_limit(PATTERN_SIZE_LIMIT).dfa_size_limit(PATTERN_SIZE_LIMIT).build()
}

impl AttributeSpec {
    /// Checks everything the operator typed; every problem is reported, nothing is
    /// half-accepted.
    pub fn check(&self) -> Result<CheckedSpec, Vec<ParseError>> {
        let mut errors = Vec::new();
        let key = match check_key("Key", &self.key) {
            Ok(k) if RESERVED_KEYS.contains(&k.as_str()) => {
                errors.push(rejected("Key", format!("Key {k:?} is a standard claim name (or Foyer's own): choose another.")));
                None
            }
            Ok(k) => Some(k),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let labels = parse_labels(&self.labels).map_err(|e| errors.push(e)).ok();
        let kind = Kind::parse(&self.kind);
        if kind.is_none() {
            errors.push(rejected("Type", format!("Type {:?} is not valid: use text, number, date or choice.", self.kind)));
        }
        let mut rules = Rules::default();
        let mut choices = Vec::new();
        let mut wrong_kind = |what: &str, kinds: &str| errors.push(rejected("Validation", format!("{what} is for {kinds} attributes only.")));
        match kind {
            Some(Kind::Text) => {}
            Some(_) if self.max_length.is_some() || self.pattern.is_some() => wrong_kind("--max-length/--pattern", "text"),
            _ => {}
        }
        if kind != Some(Kind::Number) && self.integer {
            wrong_kind("--integer", "number");
        }
        if !matches!(kind, Some(Kind::Number | Kind::Date)) && (self.min.is_some() || self.max.is_some()) {
            wrong_kind("--min/--max", "number and date");
        }
        if kind != Some(Kind::Choice) && !self.choices.is_empty() {
            wrong_kind("--choice", "choice");
        }
        match kind {
            Some(Kind::Text) => {
                if let Some(max) = &self.max_length {
                    match max.trim().parse::<usize>() {
                        Ok(n) if (1..=MAX_VALUE_CHARS).contains(&n) => rules.max_length = Some(n),
                        _ => errors.push(rejected("Validation", format!("--max-length must be 1 to {MAX_VALUE_CHARS}."))),
                    }
                }
                if let Some(p) = &self.pattern {
                    if p.is_empty() || p.chars().count() > MAX_PATTERN_CHARS {
                        errors.push(rejected("Validation", format!("--pattern must be 1 to {MAX_PATTERN_CHARS} characters.")));
                    } else if compile(p).is_err() {
                        errors.push(rejected("Validation", "--pattern is not a valid (or is too large a) regular expression.".to_owned()));
                    } else {
                        rules.pattern = Some(p.clone());
                    }
                }
            }
            Some(Kind::Number) => {
                rules.integer = self.integer;
                let mut bound = |value: &Option<String>, name: &str| match value.as_deref().map(parse_number) {
                    None => None,
                    Some(Some(n)) if !self.integer || n.fract() == 0.0 => Some(n),
                    Some(_) => {
                        errors.push(rejected("Validation", format!("--{name} must be a number (a whole one with --integer).")));
                        None
                    }
                };
                rules.min_number = bound(&self.min, "min");
                rules.max_number = bound(&self.max, "max");
                if let (Some(a), Some(b)) = (rules.min_number, rules.max_number)
                    && a > b
                {
                    errors.push(rejected("Validation", "--min is above --max.".to_owned()));
                }
            }
            Some(Kind::Date) => {
                let mut bound = |value: &Option<String>, name: &str| match value.as_deref().map(parse_date) {
                    None => None,
                    Some(Some(d)) => Some(d),
                    Some(None) => {
                        errors.push(rejected("Validation", format!("--{name} must be a date written YYYY-MM-DD.")));
                        None
                    }
                };
                rules.min_date = bound(&self.min, "min");
                rules.max_date = bound(&self.max, "max");
                if let (Some(a), Some(b)) = (&rules.min_date, &rules.max_date)
                    && a > b
                {
                    errors.push(rejected("Validation", "--min is after --max.".to_owned()));
                }
            }
            Some(Kind::Choice) => {
                if self.choices.is_empty() || self.choices.len() > MAX_CHOICES {
                    errors.push(rejected("Choice", format!("A choice attribute needs 1 to {MAX_CHOICES} --choice VALUE=en:Text,….")));
                }
                for item in &self.choices {
                    match parse_keyed("Choice", item).and_then(|(v, labels)| Ok(Choice { value: check_choice_value(&v)?, labels })) {
                        Ok(c) if choices.iter().any(|x: &Choice| x.value == c.value) => {
                            errors.push(rejected("Choice", format!("Choice {:?} is given twice.", c.value)));
                        }
                        Ok(c) => choices.push(c),
                        Err(e) => errors.push(e),
                    }
                }
            }
            None => {}
        }
        if self.ask_at_sign_in && !self.required {
            errors.push(rejected("Ask at sign-in", "--ask-at-sign-in needs --required: only missing required attributes are asked for.".to_owned()));
        }
        match (key, labels, kind) {
            (Some(key), Some(labels), Some(kind)) if errors.is_empty() => Ok(CheckedSpec {
                key,
                labels,
                kind,
                choices,
                rules,
                required: self.required,
                ask_at_sign_in: self.ask_at_sign_in,
                group_wide: self.group_wide,
            }),
            _ => Err(errors),
        }
    }
}

/// Why a customer's value was refused: a stable code the pages translate
/// (`branddata-error-<code>`), with its English sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueProblem {
    Missing,
    TooLong(usize),
    ControlCharacters,
    Pattern,
    NotANumber,
    NotAWholeNumber,
    TooSmall(String),
    TooLarge(String),
    NotADate,
    TooEarly(String),
    TooLate(String),
    NotAChoice,
    UnknownAttribute,
    UnknownLanguage,
    UnknownFrequency,
    UnknownTopic,
}

impl ValueProblem {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::TooLong(_) => "too-long",
            Self::ControlCharacters => "control-characters",
            Self::Pattern => "pattern",
            Self::NotANumber => "not-a-number",
            Self::NotAWholeNumber => "not-a-whole-number",
            Self::TooSmall(_) => "too-small",
            Self::TooLarge(_) => "too-large",
            Self::NotADate => "not-a-date",
            Self::TooEarly(_) => "too-early",
            Self::TooLate(_) => "too-late",
            Self::NotAChoice => "not-a-choice",
            Self::UnknownAttribute => "unknown-attribute",
            Self::UnknownLanguage => "unknown-language",
            Self::UnknownFrequency => "unknown-frequency",
            Self::UnknownTopic => "unknown-topic",
        }
    }

    /// The limit the message names (`max`, `min`), if any.
    pub fn limit(&self) -> Option<String> {
        match self {
            Self::TooLong(n) => Some(n.to_string()),
            Self::TooSmall(s) | Self::TooLarge(s) | Self::TooEarly(s) | Self::TooLate(s) => Some(s.clone()),
            _ => None,
        }
    }

    /// The English sentence about the field labelled `label`.
    pub fn english(&self, label: &str) -> String {
        match self {
            Self::Missing => format!("{label} is required."),
            Self::TooLong(n) => format!("{label} is too long (at most {n} characters)."),
            Self::ControlCharacters => format!("{label} contains control characters."),
            Self::Pattern => format!("{label} is not in the expected form."),
            Self::NotANumber => format!("{label} must be a number."),
            Self::NotAWholeNumber => format!("{label} must be a whole number."),
            Self::TooSmall(m) => format!("{label} must be at least {m}."),
            Self::TooLarge(m) => format!("{label} must be at most {m}."),
            Self::NotADate => format!("{label} must be a date written YYYY-MM-DD."),
            Self::TooEarly(m) => format!("{label} must be on or after {m}."),
            Self::TooLate(m) => format!("{label} must be on or before {m}."),
            Self::NotAChoice => format!("{label}: choose one of the options offered."),
            Self::UnknownAttribute => format!("{label} is not something this brand asks for."),
            Self::UnknownLanguage => format!("{label}: choose one of the languages offered."),
            Self::UnknownFrequency => format!("{label}: choose one of the options offered."),
            Self::UnknownTopic => format!("{label}: choose among the topics offered."),
        }
    }
}

/// One refused field: `attribute.<key>`, `language`, `frequency` or `topics`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    pub field: String,
    /// The field's labels (an attribute's declared ones; English only for the others).
    pub labels: Labels,
    pub problem: ValueProblem,
}

impl ValueError {
    pub fn new(field: String, label: &str, problem: ValueProblem) -> Self {
        Self { field, labels: [("en".to_owned(), label.to_owned())].into(), problem }
    }
}

impl std::fmt::Display for ValueError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.problem.english(label_in(&self.labels, "en")))
    }
}

/// The field name an attribute's errors carry.
pub fn attribute_field(key: &str) -> String {
    format!("attribute.{key}")
}

impl Attribute {
    pub fn label(&self, lang: &str) -> &str {
        label_in(&self.labels, lang)
    }

    /// Checks a typed value: `Ok(None)` when empty (nothing given), else its canonical
    /// text. The length cap comes before anything else.
    pub fn check(&self, input: &str) -> Result<Option<String>, ValueProblem> {
        let value = input.trim();
        if value.is_empty() {
            return Ok(None);
        }
        let chars = value.chars().count();
        let cap = match self.kind {
            Kind::Text => self.rules.max_length.unwrap_or(DEFAULT_TEXT_MAX).min(MAX_VALUE_CHARS),
            _ => MAX_VALUE_CHARS.min(40),
        };
        if chars > cap {
            return Err(ValueProblem::TooLong(cap));
        }
        if value.chars().any(char::is_control) {
            return Err(ValueProblem::ControlCharacters);
        }
        match self.kind {
            Kind::Text => {
                if let Some(p) = &self.rules.pattern
                    && !compile(p).is_ok_and(|re| re.is_match(value))
                {
                    return Err(ValueProblem::Pattern);
                }
                Ok(Some(value.to_owned()))
            }
            Kind::Number => {
                let n = parse_number(value).ok_or(ValueProblem::NotANumber)?;
                if self.rules.integer && n.fract() != 0.0 {
                    return Err(ValueProblem::NotAWholeNumber);
                }
                if let Some(min) = self.rules.min_number.filter(|m| n < *m) {
                    return Err(ValueProblem::TooSmall(number_text(min)));
                }
                if let Some(max) = self.rules.max_number.filter(|m| n > *m) {
                    return Err(ValueProblem::TooLarge(number_text(max)));
                }
                Ok(Some(number_text(n)))
            }
            Kind::Date => {
                let d = parse_date(value).ok_or(ValueProblem::NotADate)?;
                if let Some(min) = self.rules.min_date.as_ref().filter(|m| d < **m) {
                    return Err(ValueProblem::TooEarly(min.clone()));
                }
                if let Some(max) = self.rules.max_date.as_ref().filter(|m| d > **m) {
                    return Err(ValueProblem::TooLate(max.clone()));
                }
                Ok(Some(d))
            }
            Kind::Choice => self.choices.iter().find(|c| c.value == value).map(|c| Some(c.value.clone())).ok_or(ValueProblem::NotAChoice),
        }
    }

    /// The value as a claim: numbers as JSON numbers, everything else as a string.
    pub fn claim_value(&self, stored: &str) -> serde_json::Value {
        match self.kind {
            Kind::Number => parse_number(stored)
                .and_then(|n| if n.fract() == 0.0 && n.abs() < 9e15 { Some(serde_json::Value::from(n as i64)) } else { serde_json::Number::from_f64(n).map(serde_json::Value::Number) })
                .unwrap_or_else(|| serde_json::Value::String(stored.to_owned())),
            _ => serde_json::Value::String(stored.to_owned()),
        }
    }

    /// What the customer sees for a stored value (a choice by its label).
    pub fn shown(&self, stored: &str, lang: &str) -> String {
        match self.kind {
            Kind::Choice => self.choices.iter().find(|c| c.value == stored).map_or_else(|| stored.to_owned(), |c| label_in(&c.labels, lang).to_owned()),
            _ => stored.to_owned(),
        }
    }
}

impl ValueProblem {
    /// One of each (the pages' test checks every code is translated).
    pub fn every() -> Vec<Self> {
        vec![
            Self::Missing,
            Self::TooLong(3),
            Self::ControlCharacters,
            Self::Pattern,
            Self::NotANumber,
            Self::NotAWholeNumber,
            Self::TooSmall("1".into()),
            Self::TooLarge("1".into()),
            Self::NotADate,
            Self::TooEarly("x".into()),
            Self::TooLate("x".into()),
            Self::NotAChoice,
            Self::UnknownAttribute,
            Self::UnknownLanguage,
            Self::UnknownFrequency,
            Self::UnknownTopic,
        ]
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use super::*;

    fn spec(kind: &str) -> AttributeSpec {
        AttributeSpec { key: "seat".into(), labels: vec!["en=Seat".into(), "de=Sitzplatz".into()], kind: kind.into(), ..AttributeSpec::default() }
    }

    fn attribute(checked: CheckedSpec) -> Attribute {
        Attribute {
            id: "a".into(),
            brand_id: Some("b".into()),
            key: checked.key,
            labels: checked.labels,
            kind: checked.kind,
            choices: checked.choices,
            rules: checked.rules,
            required: checked.required,
            ask_at_sign_in: checked.ask_at_sign_in,
            group_wide: checked.group_wide,
            position: 1,
        }
    }

    fn fields(errors: &[ParseError]) -> Vec<&'static str> {
        errors.iter().map(ParseError::field).collect()
    }

    #[test]
    fn keys_are_lower_snake_and_never_a_standard_claim() {
        assert_eq!(check_key("Key", "seat_pref2").unwrap(), "seat_pref2");
        for bad in ["", "Seat", "2seat", "_seat", "seat-pref", "a".repeat(41).as_str(), "sëat"] {
            assert!(check_key("Key", bad).is_err(), "{bad}");
        }
        for taken in ["email", "sub", "address", "attributes", "preferences", "locale"] {
            let s = AttributeSpec { key: taken.into(), ..spec("text") };
            assert_eq!(fields(&s.check().unwrap_err()), ["Key"], "{taken}");
        }
    }

    #[test]
    fn labels_need_english_and_shipped_languages() {
        assert!(parse_labels(&["en=Seat".into(), "de=Sitzplatz".into()]).is_ok());
        for bad in [vec!["de=Sitzplatz"], vec!["en=Seat", "fr=Siège"], vec!["en="], vec!["Seat"], vec!["en=Seat", "en=Again"], vec!["en=a\u{7}b"]] {
            let items: Vec<String> = bad.iter().map(|s| (*s).to_owned()).collect();
            assert!(parse_labels(&items).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_declaration_is_checked_as_a_whole() {
        let choice = AttributeSpec { choices: vec!["aisle=en:Aisle,de:Gang".into(), "window=en:Window".into()], required: true, ask_at_sign_in: true, ..spec("choice") };
        let checked = choice.check().unwrap();
        assert_eq!(checked.choices.len(), 2);
        assert_eq!(checked.choices[0].labels["de"], "Gang");
        let bad = AttributeSpec {
            key: "email".into(),
            kind: "colour".into(),
            choices: vec!["x".into()],
            ask_at_sign_in: true,
            ..spec("text")
        };
        let errors = bad.check().unwrap_err();
        assert!(errors.len() >= 3, "{errors:?}");
        assert!(AttributeSpec { choices: vec![], ..spec("choice") }.check().is_err(), "a choice needs choices");
        assert!(AttributeSpec { choices: vec!["a=en:A".into(), "a=en:B".into()], ..spec("choice") }.check().is_err(), "twice");
        assert!(AttributeSpec { pattern: Some("(".into()), ..spec("text") }.check().is_err());
        assert!(AttributeSpec { pattern: Some("[a-z]{1,3}".into()), ..spec("number") }.check().is_err(), "pattern on a number");
        assert!(AttributeSpec { min: Some("5".into()), max: Some("1".into()), ..spec("number") }.check().is_err());
        assert!(AttributeSpec { min: Some("2020-02-30".into()), ..spec("date") }.check().is_err());
        assert!(AttributeSpec { max_length: Some("5000".into()), ..spec("text") }.check().is_err());
    }

    #[test]
    fn values_are_checked_against_their_declaration() {
        let text = attribute(AttributeSpec { max_length: Some("10".into()), pattern: Some("[A-Z]{2}[0-9]+".into()), ..spec("text") }.check().unwrap());
        assert_eq!(text.check("  AB123 "), Ok(Some("AB123".into())));
        assert_eq!(text.check(""), Ok(None));
        assert_eq!(text.check("ab123"), Err(ValueProblem::Pattern), "the whole value must match");
        assert_eq!(text.check("xAB123"), Err(ValueProblem::Pattern));
        assert_eq!(text.check("AB12345678901"), Err(ValueProblem::TooLong(10)));
        assert_eq!(text.check(&"A".repeat(100_000)), Err(ValueProblem::TooLong(10)), "the cap comes first");
        let free = attribute(spec("text").check().unwrap());
        assert_eq!(free.check("<script>alert(1)</script>"), Ok(Some("<script>alert(1)</script>".into())), "text is text");
        assert_eq!(free.check("a\u{0}b"), Err(ValueProblem::ControlCharacters));
        assert_eq!(free.check(&"x".repeat(DEFAULT_TEXT_MAX + 1)), Err(ValueProblem::TooLong(DEFAULT_TEXT_MAX)));

        let number = attribute(AttributeSpec { min: Some("1".into()), max: Some("9".into()), integer: true, ..spec("number") }.check().unwrap());
        assert_eq!(number.check("3"), Ok(Some("3".into())));
        assert_eq!(number.check("3.0"), Ok(Some("3".into())));
        assert_eq!(number.check("3.5"), Err(ValueProblem::NotAWholeNumber));
        assert_eq!(number.check("0"), Err(ValueProblem::TooSmall("1".into())));
        assert_eq!(number.check("10"), Err(ValueProblem::TooLarge("9".into())));
        for bad in ["three", "1e3", "NaN", "inf", "0x10"] {
            assert_eq!(number.check(bad), Err(ValueProblem::NotANumber), "{bad}");
        }
        assert_eq!(number.claim_value("3"), serde_json::json!(3));

        let date = attribute(AttributeSpec { min: Some("2000-01-01".into()), ..spec("date") }.check().unwrap());
        assert_eq!(date.check("2024-02-29"), Ok(Some("2024-02-29".into())));
        assert_eq!(date.check("2023-02-29"), Err(ValueProblem::NotADate));
        assert_eq!(date.check("1999-12-31"), Err(ValueProblem::TooEarly("2000-01-01".into())));

        let choice = attribute(AttributeSpec { choices: vec!["aisle=en:Aisle,de:Gang".into()], ..spec("choice") }.check().unwrap());
        assert_eq!(choice.check("aisle"), Ok(Some("aisle".into())));
        assert_eq!(choice.check("cockpit"), Err(ValueProblem::NotAChoice));
        assert_eq!(choice.shown("aisle", "de"), "Gang");
        assert_eq!(choice.claim_value("aisle"), serde_json::json!("aisle"));
    }

    #[test]
    fn every_problem_has_a_code_and_a_sentence() {
        for p in ValueProblem::every() {
            assert!(!p.code().is_empty() && p.english("Seat").contains("Seat"), "{p:?}");
        }
    }
}

//! The `attributes` and `preferences` claims (ID token and UserInfo): what the client's
//! brand reads, decided here from the client's brand id and nothing the client sends.
//! `attributes`: the brand's own attributes and every group-wide one (key → value);
//! `preferences`: `{language, frequency, topics}` for that brand only. Unset members are
//! omitted; a claim whose scope was not granted is absent.

use serde_json::{Map, Value};

use super::customer::preferences_of;
use super::{attributes_of, topics_of};
use crate::store::{AnyConnection, brand_data};
use crate::Result;

/// The brand-data claims for `scopes` of `customer_id` as `brand_id` reads them.
pub(crate) async fn claims(conn: &mut AnyConnection, customer_id: &str, brand_id: &str, scopes: &[String]) -> Result<Map<String, Value>> {
    let has = |s: &str| scopes.iter().any(|x| x == s);
    let mut claims = Map::new();
    if has("attributes") {
        let values = brand_data::values_of(conn, customer_id).await?;
        let mut attributes = Map::new();
        for attribute in attributes_of(brand_data::visible_definitions(conn, brand_id).await?)? {
            if let Some((_, value)) = values.iter().find(|(id, _)| *id == attribute.id) {
                attributes.insert(attribute.key.clone(), attribute.claim_value(value));
            }
        }
        claims.insert("attributes".to_owned(), Value::Object(attributes));
    }
    if has("preferences") {
        let topics = topics_of(brand_data::topics_of(conn, brand_id).await?)?;
        let prefs = preferences_of(brand_data::preferences_of(conn, customer_id, brand_id).await?, &topics);
        let mut object = Map::new();
        if let Some(language) = prefs.language {
            object.insert("language".to_owned(), Value::String(language));
        }
        if let Some(frequency) = prefs.frequency {
            object.insert("frequency".to_owned(), Value::String(frequency));
        }
        object.insert("topics".to_owned(), Value::Array(prefs.topics.into_iter().map(Value::String).collect()));
        claims.insert("preferences".to_owned(), Value::Object(object));
    }
    Ok(claims)
}

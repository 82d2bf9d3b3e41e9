//! The seeded world (brand, clients, signed-in consented customers) and the requests
//! each operation makes.

use super::*;
#[derive(Debug, Clone)]
pub(crate) struct BenchClient {
    pub(crate) id: String,
    pub(crate) secret: String,
}

pub(crate) struct Tokens {
    pub(crate) access: String,
    pub(crate) refresh: String,
}

pub(crate) struct Bench {
    pub(crate) address: String,
    pub(crate) public_url: String,
    pub(crate) identity: Identity,
    /// No cookies, no redirects: the relying parties' back-channel calls.
    pub(crate) http: reqwest::Client,
    /// One signed-in, consented customer per worker, each with its own cookie jar.
    pub(crate) browsers: Vec<reqwest::Client>,
    /// The client of the authorize, UserInfo and introspection runs.
    pub(crate) main: BenchClient,
    /// One access token per worker (its customer's), for UserInfo and introspection.
    pub(crate) access_tokens: Vec<String>,
    pub(crate) next_ip: AtomicU32,
    pub(crate) next_client: AtomicU32,
    /// The brand's id and each worker's customer id (the consent check's inputs).
    pub(crate) brand_id: String,
    pub(crate) customer_ids: Vec<String>,
}

/// A realistic catalogue for the consent check: the brand's 6 purposes (2 required, 2
/// with channels) and the group's 2 (1 required), each with a published version. The
/// seeding consent grants the required ones.
async fn seed_purposes(identity: &Identity) {
    use identity::consent::catalogue::{NewPurpose, NewVersion};
    let purposes: [(Option<&str>, &str, bool, &[&str]); 8] = [
        (Some("bench"), "rules", true, &[]),
        (Some("bench"), "profile", true, &[]),
        (Some("bench"), "news", false, &["email", "sms"]),
        (Some("bench"), "offers", false, &["email", "post"]),
        (Some("bench"), "survey", false, &[]),
        (Some("bench"), "research", false, &[]),
        (None, "terms", true, &[]),
        (None, "group-news", false, &[]),
    ];
    for (brand, key, required, channels) in purposes {
        let new = NewPurpose {
            brand: brand.map(str::to_owned),
            key: key.to_owned(),
            titles: vec![("en".into(), key.to_owned())],
            descriptions: vec![("en".into(), format!("What {key} is for."))],
            legal_basis: "consent".into(),
            required,
            data_categories: vec!["contact".into()],
            retention: None,
            channels: channels.iter().map(|c| (*c).to_owned()).collect(),
        };
        identity.create_purpose(&Principal::Operator, &new).await.expect("purpose");
        let version = NewVersion { brand: new.brand.clone(), key: new.key.clone(), body: Some("text".into()), ..NewVersion::default() };
        identity.publish_purpose_version(&Principal::Operator, &version).await.expect("version");
    }
}

/// The next address of 198.18.0.0/20 (RFC 2544's benchmarking range) after `next_ip`:
/// 4,096 addresses in turn, sent as `X-Forwarded-For`, so no per-IP limit answers.
pub(crate) fn next_address(next_ip: &AtomicU32) -> String {
    let n = next_ip.fetch_add(1, Ordering::Relaxed) % 4_096;
    let [_, _, hi, lo] = n.to_be_bytes();
    format!("198.18.{hi}.{lo}")
}

/// An authorization request to the Foyer at `address` with PKCE S256 (and `prompt`, if
/// given): (URL, state, verifier).
pub(crate) fn authorize_url_at(address: &str, client: &BenchClient, prompt: Option<&str>) -> (String, String, String) {
    let verifier = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let state = hex::encode(rand::random::<[u8; 16]>());
    let nonce = hex::encode(rand::random::<[u8; 16]>());
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("response_type", "code")
        .append_pair("client_id", &client.id)
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("scope", SCOPE)
        .append_pair("state", &state)
        .append_pair("nonce", &nonce)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    if let Some(prompt) = prompt {
        query.append_pair("prompt", prompt);
    }
    (format!("{address}/oauth2/authorize?{}", query.finish()), state, verifier)
}

impl Bench {
    pub(crate) async fn seed(server: &Server) -> Self {
        let identity = server.identity.clone();
        let brand = identity.create_brand(&Principal::Operator, &BrandSlug::parse("bench").expect("slug"), "Bench").await.expect("brand");
        seed_purposes(&identity).await;
        let workers = CONCURRENCY.into_iter().max().unwrap_or(1);
        let mut bench = Self {
            address: server.address.clone(),
            public_url: server.public_url.clone(),
            identity,
            http: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("http client"),
            browsers: Vec::new(),
            main: BenchClient { id: String::new(), secret: String::new() },
            access_tokens: Vec::new(),
            next_ip: AtomicU32::new(0),
            next_client: AtomicU32::new(0),
            brand_id: brand.id,
            customer_ids: Vec::new(),
        };
        bench.main = bench.new_client().await;
        for w in 0..workers {
            let email = format!("bench{w}@example.com");
            bench.customer(&email, w).await;
            let id = bench.identity.store().customer_by_email(&email).await.expect("lookup").expect("customer").id;
            bench.customer_ids.push(id);
            let browser = reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .user_agent("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
                .build()
                .expect("browser");
            bench.sign_in_and_consent(&browser, &email).await;
            let (code, verifier) = bench.authorize(&browser, &bench.main).await;
            let tokens = bench.exchange(&bench.main, &code, &verifier).await;
            bench.access_tokens.push(tokens.access);
            bench.browsers.push(browser);
        }
        bench
    }

    /// The next address of 198.18.0.0/20 (4,096 addresses, well within every per-IP burst).
    pub(crate) fn forwarded_for(&self) -> String {
        next_address(&self.next_ip)
    }

    pub(crate) async fn new_client(&self) -> BenchClient {
        let n = self.next_client.fetch_add(1, Ordering::Relaxed);
        let spec = ClientSpec::new("bench", &format!("Bench {n}")).redirect_uri(REDIRECT).dev(true);
        let created = self.identity.create_client(&Principal::Operator, &spec).await.expect("client registered");
        let secret = created.secret.expect("a confidential client has a secret").expose_secret().to_owned();
        BenchClient { id: created.client.id, secret }
    }

    /// A verified customer with [`PASSWORD`], registered through the core.
    pub(crate) async fn customer(&self, email: &str, n: usize) {
        let registration = Registration {
            email: email.into(),
            password: SecretString::from(PASSWORD.to_owned()),
            given_name: Some("Bench".into()),
            family_name: None,
            accept_terms: true,
        };
        let last = u8::try_from(n + 1).unwrap_or(u8::MAX);
        let meta = RequestMeta::new(std::net::IpAddr::from([192, 0, 2, last]), None);
        self.identity.register(&Principal::Anonymous, registration, &meta).await.expect("registered");
        let row = self.identity.store().customer_by_email(email).await.expect("lookup").expect("customer exists");
        sqlx::query("UPDATE customers SET email_verified = 1 WHERE id = $1")
            .bind(&row.id)
            .execute(self.identity.store().pool())
            .await
            .expect("verified");
    }

    /// A server-function POST with the headers of a same-origin `fetch`.
    pub(crate) async fn server_fn(&self, browser: &reqwest::Client, endpoint: &str, form: &[(&str, &str)]) -> Value {
        let response = browser
            .post(format!("{}/api/{endpoint}", self.address))
            .header(header::ORIGIN, self.public_url.as_str())
            .header("sec-fetch-site", "same-origin")
            .header(header::ACCEPT, "application/json")
            .form(form)
            .send()
            .await
            .expect("server function");
        let status = response.status();
        let text = response.text().await.expect("body");
        assert_eq!(status, StatusCode::OK, "/api/{endpoint}: {text}");
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    }

    pub(crate) async fn sign_in_and_consent(&self, browser: &reqwest::Client, email: &str) {
        self.server_fn(browser, "login", &[("email", email), ("password", PASSWORD)]).await;
        let (url, _, _) = self.authorize_url(&self.main);
        let location = self.see_other(browser, &url).await;
        let r = url::Url::parse(&format!("http://x{}", location.trim_start_matches(&self.public_url)))
            .ok()
            .filter(|u| u.path() == "/oauth2/consent")
            .and_then(|u| u.query_pairs().find(|(k, _)| k == "r").map(|(_, v)| v.into_owned()))
            .unwrap_or_else(|| panic!("expected the consent page, got {location}"));
        let next = self.server_fn(browser, "consent_decide", &[("r", &r), ("allow", "true")]).await;
        let next = next.as_str().unwrap_or_else(|| panic!("consent: {next}"));
        let location = self.see_other(browser, &format!("{}{next}", self.address)).await;
        assert!(location.starts_with(REDIRECT), "after consent, back to the client: {location}");
    }

    /// GET `url` as `browser`; the `Location` of the 303 it must answer.
    pub(crate) async fn see_other(&self, browser: &reqwest::Client, url: &str) -> String {
        let response = browser.get(url).header("x-forwarded-for", self.forwarded_for()).send().await.expect("GET");
        let status = response.status();
        let location = response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
        match (status, location) {
            (StatusCode::SEE_OTHER, Some(location)) => location,
            (status, _) => panic!("GET {url}: expected 303, got {status}: {}", response.text().await.unwrap_or_default()),
        }
    }

    /// An authorization request with PKCE S256: (URL, state, verifier).
    pub(crate) fn authorize_url(&self, client: &BenchClient) -> (String, String, String) {
        authorize_url_at(&self.address, client, None)
    }

    /// `GET /oauth2/authorize` for a signed-in, consented customer: (code, verifier).
    pub(crate) async fn authorize(&self, browser: &reqwest::Client, client: &BenchClient) -> (String, String) {
        let (url, state, verifier) = self.authorize_url(client);
        let location = self.see_other(browser, &url).await;
        let callback = url::Url::parse(&location).unwrap_or_else(|_| panic!("authorize: not a redirect to the client: {location}"));
        let param = |name: &str| callback.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
        assert_eq!(param("state").as_deref(), Some(state.as_str()), "authorize: {location}");
        let code = param("code").unwrap_or_else(|| panic!("authorize: no code in {location}"));
        (code, verifier)
    }

    /// Codes for `client` from every browser at once.
    pub(crate) async fn codes(self: &Arc<Self>, client: &BenchClient, n: usize) -> Vec<(String, String)> {
        let browsers = self.browsers.len();
        let tasks: Vec<_> = (0..browsers)
            .map(|b| {
                let bench = Arc::clone(self);
                let client = client.clone();
                let count = n / browsers + usize::from(b < n % browsers);
                tokio::spawn(async move {
                    let mut codes = Vec::with_capacity(count);
                    for _ in 0..count {
                        codes.push(bench.authorize(&bench.browsers[b], &client).await);
                    }
                    codes
                })
            })
            .collect();
        let mut codes = Vec::with_capacity(n);
        for task in tasks {
            codes.extend(task.await.expect("code generation"));
        }
        codes
    }

    pub(crate) async fn token(&self, client: &BenchClient, form: &[(&str, &str)]) -> Tokens {
        let response = self
            .http
            .post(format!("{}/oauth2/token", self.address))
            .basic_auth(&client.id, Some(&client.secret))
            .form(form)
            .send()
            .await
            .expect("token request");
        let status = response.status();
        let text = response.text().await.expect("body");
        assert_eq!(status, StatusCode::OK, "token endpoint ({}): {text}", form[0].1);
        let body: Value = serde_json::from_str(&text).expect("token JSON");
        let field = |name: &str| body[name].as_str().unwrap_or_else(|| panic!("no {name} in {text}")).to_owned();
        Tokens { access: field("access_token"), refresh: field("refresh_token") }
    }

    pub(crate) async fn exchange(&self, client: &BenchClient, code: &str, verifier: &str) -> Tokens {
        let form = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", REDIRECT), ("code_verifier", verifier)];
        self.token(client, &form).await
    }

    pub(crate) async fn refresh(&self, client: &BenchClient, refresh: &str) -> String {
        self.token(client, &[("grant_type", "refresh_token"), ("refresh_token", refresh)]).await.refresh
    }

    pub(crate) async fn userinfo(&self, access: &str) {
        let response = self
            .http
            .get(format!("{}/oauth2/userinfo", self.address))
            .bearer_auth(access)
            .header("x-forwarded-for", self.forwarded_for())
            .send()
            .await
            .expect("userinfo");
        let status = response.status();
        let text = response.text().await.expect("body");
        assert!(status == StatusCode::OK && text.contains("\"sub\""), "userinfo: {status} {text}");
    }

    pub(crate) async fn introspect(&self, access: &str) {
        let response = self
            .http
            .post(format!("{}/oauth2/introspect", self.address))
            .basic_auth(&self.main.id, Some(&self.main.secret))
            .header("x-forwarded-for", self.forwarded_for())
            .form(&[("token", access), ("token_type_hint", "access_token")])
            .send()
            .await
            .expect("introspect");
        let status = response.status();
        let text = response.text().await.expect("body");
        assert!(status == StatusCode::OK && text.contains("\"active\":true"), "introspect: {status} {text}");
    }

    pub(crate) async fn get_json(&self, path: &str) {
        let response = self.http.get(format!("{}{path}", self.address)).send().await.expect("GET");
        let status = response.status();
        let bytes = response.bytes().await.expect("body");
        assert!(status == StatusCode::OK && bytes.first() == Some(&b'{'), "{path}: {status}");
    }
}

//! `rho:net:http`: HTTP(S) requests to granted hosts (see [`crate::net`]
//! for the message shapes).
//!
//! Redirects are followed by hand, at most [`MAX_REDIRECTS`] of them, and
//! only to granted hosts: a redirect elsewhere is an error. The whole
//! exchange, redirects included, is one recorded I/O outcome. The
//! environment's proxy settings are ignored: a run reaches only what it
//! was granted, directly.

use std::sync::Arc;
use std::time::Duration;

use rho_runtime::native::{NativeCall, NativeProcess, bad_arguments};
use rho_runtime::{RuntimeError, Value};
use ureq::http::{HeaderName, HeaderValue, Uri};

use super::address::HostPort;
use crate::fs::reply::{Reply, charge_operation, data_bytes, describe, perform};
use crate::grants::Grants;

/// The URI of the HTTP resolver.
pub const URI: &str = "rho:net:http";

/// The largest response body accepted, in bytes.
pub const MAX_BODY_BYTES: u64 = 16 * 1024 * 1024;

/// The most redirects followed for one request.
pub const MAX_REDIRECTS: usize = 5;

/// How long one request may take, redirects included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How long connecting to a server may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

const EXPECTED: &str = "a URL string or a request map {\"url\": URL, \"method\": \
     \"GET\" | \"HEAD\" | \"DELETE\" | \"POST\" | \"PUT\" | \"PATCH\", \"body\": bytes or string, \
     \"headers\": {name: value}, \"text\": Bool} (only \"url\" is required), \
     a return channel and an optional error channel";

/// The HTTP methods offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    Get,
    Head,
    Delete,
    Post,
    Put,
    Patch,
}

impl Method {
    fn parse(name: &str) -> Option<Method> {
        Some(match name {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "DELETE" => Method::Delete,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "PATCH" => Method::Patch,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Delete => "DELETE",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
        }
    }

    fn has_body(self) -> bool {
        matches!(self, Method::Post | Method::Put | Method::Patch)
    }
}

/// A request as the program asked for it.
#[derive(Clone, Debug)]
struct Request {
    method: Method,
    url: String,
    body: Arc<[u8]>,
    headers: Vec<(String, String)>,
    text: bool,
}

impl Request {
    /// A request from the first argument of a call; `None` for a wrong
    /// shape.
    fn from_value(value: &Value) -> Option<Request> {
        let map = match value {
            Value::Str(url) => {
                return Some(Request {
                    method: Method::Get,
                    url: url.to_string(),
                    body: Arc::from(&[][..]),
                    headers: Vec::new(),
                    text: false,
                });
            }
            Value::Map(map) => map,
            _ => return None,
        };
        let mut url = None;
        let mut method = None;
        let mut body = None;
        let mut headers = Vec::new();
        let mut text = false;
        for (key, value) in map.entries().iter() {
            let Value::Str(key) = key else {
                return None;
            };
            match (&**key, value) {
                ("url", Value::Str(value)) => url = Some(value.to_string()),
                ("method", Value::Str(value)) => method = Some(Method::parse(value)?),
                ("body", value) => body = Some(data_bytes(value)?),
                ("headers", Value::Map(pairs)) => {
                    for (name, value) in pairs.entries().iter() {
                        let (Value::Str(name), Value::Str(value)) = (name, value) else {
                            return None;
                        };
                        headers.push((name.to_string(), value.to_string()));
                    }
                }
                ("text", Value::Bool(value)) => text = *value,
                _ => return None,
            }
        }
        let method = method.unwrap_or(if body.is_some() {
            Method::Post
        } else {
            Method::Get
        });
        if body.is_some() && !method.has_body() {
            return None;
        }
        Some(Request {
            method,
            url: url?,
            body: body.unwrap_or_else(|| Arc::from(&[][..])),
            headers,
            text,
        })
    }

    /// What the event log calls this request.
    fn describe(&self) -> String {
        if self.method.has_body() {
            format!(
                "http {} {} ({} bytes)",
                self.method.name(),
                self.url,
                self.body.len()
            )
        } else {
            format!("http {} {}", self.method.name(), self.url)
        }
    }

    /// Checks what can be checked without the network: the URL, the
    /// grant of its host, and the headers.
    fn validate(&self, grants: &Grants) -> Result<(), String> {
        granted_target(&self.url, grants)?;
        for (name, value) in &self.headers {
            HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| format!("`{name}` is not a valid header name"))?;
            HeaderValue::from_str(value)
                .map_err(|_| format!("the value of header `{name}` is not valid"))?;
        }
        Ok(())
    }
}

/// The host and port a URL reaches, if it is an absolute `http` or `https`
/// URL to a granted host.
fn granted_target(url: &str, grants: &Grants) -> Result<HostPort, String> {
    let uri: Uri = url
        .parse()
        .map_err(|_| format!("`{url}` is not a valid URL"))?;
    let default_port = match uri.scheme_str().map(str::to_ascii_lowercase).as_deref() {
        Some("http") => 80,
        Some("https") => 443,
        Some(other) => {
            return Err(format!(
                "the `{other}` scheme is not supported (http or https)"
            ));
        }
        None => return Err(format!("`{url}` is not an absolute http or https URL")),
    };
    let host = uri
        .host()
        .filter(|host| !host.is_empty())
        .ok_or_else(|| format!("`{url}` has no host"))?;
    let target = HostPort {
        host: host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase(),
        port: uri.port_u16().unwrap_or(default_port),
    };
    target.check_granted(grants)?;
    Ok(target)
}

/// Where a redirect's `Location` leads from `base`.
fn resolve_location(base: &str, location: &str) -> Result<String, String> {
    let lower = location.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Ok(location.to_string());
    }
    let uri: Uri = base
        .parse()
        .map_err(|_| format!("`{base}` is not a valid URL"))?;
    let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
        return Err(format!("`{base}` is not an absolute URL"));
    };
    if let Some(rest) = location.strip_prefix("//") {
        return Ok(format!("{scheme}://{rest}"));
    }
    if location.starts_with('/') {
        return Ok(format!("{scheme}://{authority}{location}"));
    }
    let path = uri.path();
    let directory = &path[..path.rfind('/').map_or(0, |slash| slash + 1)];
    let directory = if directory.is_empty() { "/" } else { directory };
    Ok(format!("{scheme}://{authority}{directory}{location}"))
}

/// A short description of a failed exchange.
fn describe_ureq(error: ureq::Error) -> String {
    match error {
        ureq::Error::Io(error) => describe(&error),
        ureq::Error::Timeout(_) => "timed out".to_string(),
        ureq::Error::HostNotFound => "host not found".to_string(),
        ureq::Error::ConnectionFailed => "connection failed".to_string(),
        ureq::Error::BodyExceedsLimit(limit) => {
            format!("the response body is larger than the {limit}-byte limit")
        }
        other => other.to_string(),
    }
}

/// Runs the exchange: the request and the redirects it leads to. Only
/// ever called inside [`NativeCall::io`].
fn exchange(request: &Request, grants: &Grants) -> Result<Value, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .proxy(None)
        .max_redirects(0)
        .http_status_as_error(false)
        .timeout_global(Some(REQUEST_TIMEOUT))
        .timeout_connect(Some(CONNECT_TIMEOUT))
        .build()
        .into();
    let mut method = request.method;
    let mut url = request.url.clone();
    for hop in 0..=MAX_REDIRECTS {
        if hop > 0 {
            granted_target(&url, grants).map_err(|message| format!("redirected: {message}"))?;
        }
        let mut response = send(&agent, method, &url, request).map_err(describe_ureq)?;
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .and_then(|value| value.to_str().ok())
            .map(str::to_string);
        if let (301 | 302 | 303 | 307 | 308, Some(location)) = (status, location) {
            if hop == MAX_REDIRECTS {
                return Err(format!("more than {MAX_REDIRECTS} redirects"));
            }
            url = resolve_location(&url, &location)?;
            // As browsers do: a 303, or a 301/302 after a POST, continues as
            // a GET without the body.
            if status == 303 && method != Method::Head
                || matches!(status, 301 | 302) && method == Method::Post
            {
                method = Method::Get;
            }
            continue;
        }
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY_BYTES)
            .read_to_vec()
            .map_err(describe_ureq)?;
        let body = if request.text {
            Value::string(
                String::from_utf8(body)
                    .map_err(|_| "the response body is not valid UTF-8 text".to_string())?,
            )
        } else {
            Value::Bytes(body.into())
        };
        return Ok(Value::tuple(vec![Value::Int(i64::from(status)), body]));
    }
    Err(format!("more than {MAX_REDIRECTS} redirects"))
}

/// Sends one request of the exchange.
fn send(
    agent: &ureq::Agent,
    method: Method,
    url: &str,
    request: &Request,
) -> Result<ureq::http::Response<ureq::Body>, ureq::Error> {
    macro_rules! with_headers {
        ($builder:expr) => {{
            let mut builder = $builder;
            for (name, value) in &request.headers {
                builder = builder.header(name.as_str(), value.as_str());
            }
            builder
        }};
    }
    match method {
        Method::Get => with_headers!(agent.get(url)).call(),
        Method::Head => with_headers!(agent.head(url)).call(),
        Method::Delete => with_headers!(agent.delete(url)).call(),
        Method::Post => with_headers!(agent.post(url)).send(&request.body[..]),
        Method::Put => with_headers!(agent.put(url)).send(&request.body[..]),
        Method::Patch => with_headers!(agent.patch(url)).send(&request.body[..]),
    }
}

/// The HTTP resolver: a request in, `(status, body)` out.
pub(crate) struct HttpResolver {
    grants: Arc<Grants>,
}

impl HttpResolver {
    /// A resolver that reaches the hosts `grants` allow.
    pub(crate) fn new(grants: Arc<Grants>) -> HttpResolver {
        HttpResolver { grants }
    }
}

impl NativeProcess for HttpResolver {
    fn name(&self) -> &str {
        URI
    }

    fn arities(&self) -> &[usize] {
        &[2, 3]
    }

    fn call(&self, call: &mut NativeCall<'_>, args: Vec<Value>) -> Result<(), RuntimeError> {
        let parsed = match args.as_slice() {
            [request, channels @ ..] => Request::from_value(request)
                .and_then(|request| Some((request, Reply::from_channels(channels)?))),
            [] => None,
        };
        let Some((request, reply)) = parsed else {
            return Err(bad_arguments(URI, EXPECTED, &args));
        };
        charge_operation(call, request.body.len())?;
        let description = request.describe();
        if let Err(message) = request.validate(&self.grants) {
            reply.fail(call, &format!("{description}: {message}"));
            return Ok(());
        }
        perform(call, &description, reply, || {
            exchange(&request, &self.grants)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grants::NetGrant;

    fn grants(hosts: &[&str]) -> Grants {
        Grants {
            net: hosts.iter().map(|h| NetGrant::parse(h).unwrap()).collect(),
            ..Grants::default()
        }
    }

    #[test]
    fn urls_reach_only_granted_hosts_and_ports() {
        let grants = grants(&["127.0.0.1:8080", "example.org"]);
        let target = granted_target("http://127.0.0.1:8080/a?b=c", &grants).unwrap();
        assert_eq!(target.to_string(), "127.0.0.1:8080");
        assert!(granted_target("https://EXAMPLE.org/x", &grants).is_ok());
        assert!(granted_target("http://example.org:81/", &grants).is_ok());
        let denied = granted_target("http://127.0.0.1:8081/", &grants).unwrap_err();
        assert!(denied.contains("127.0.0.1:8081 is not granted"), "{denied}");
        assert!(granted_target("http://127.0.0.1/", &grants).is_err());
        assert!(granted_target("http://user@localhost:8080/", &grants).is_err());
        assert!(
            granted_target("ftp://example.org/", &grants)
                .unwrap_err()
                .contains("not supported")
        );
        assert!(granted_target("/relative", &grants).is_err());
        assert!(granted_target("not a url", &grants).is_err());
    }

    #[test]
    fn redirect_locations_resolve_against_the_current_url() {
        let base = "http://h:1/a/b?q=1";
        assert_eq!(resolve_location(base, "/c").unwrap(), "http://h:1/c");
        assert_eq!(resolve_location(base, "c").unwrap(), "http://h:1/a/c");
        assert_eq!(resolve_location(base, "//o:2/x").unwrap(), "http://o:2/x");
        assert_eq!(
            resolve_location(base, "HTTPS://o/x").unwrap(),
            "HTTPS://o/x"
        );
        assert_eq!(resolve_location("http://h", "c").unwrap(), "http://h/c");
    }

    #[test]
    fn request_maps_are_checked_for_shape() {
        let url = |s: &str| (Value::string("url"), Value::string(s));
        let request = Request::from_value(&Value::map([
            url("http://h/"),
            (Value::string("body"), Value::string("hi")),
        ]))
        .unwrap();
        assert_eq!(request.method, Method::Post);
        assert_eq!(request.describe(), "http POST http://h/ (2 bytes)");
        let get = Request::from_value(&Value::string("http://h/")).unwrap();
        assert_eq!(get.describe(), "http GET http://h/");
        for bad in [
            Value::map([url("http://h/"), (Value::string("verb"), Value::Nil)]),
            Value::map([(Value::string("method"), Value::string("GET"))]),
            Value::map([
                url("http://h/"),
                (Value::string("method"), Value::string("GET")),
                (Value::string("body"), Value::string("x")),
            ]),
            Value::map([
                url("http://h/"),
                (Value::string("method"), Value::string("BREW")),
            ]),
            Value::Int(1),
        ] {
            assert!(Request::from_value(&bad).is_none(), "{}", bad.print());
        }
    }
}

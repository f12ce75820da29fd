//! A small CalDAV client (RFC 4791 over WebDAV, RFC 4918): list a collection's resources with
//! their ETags, create a calendar collection, put and delete resources under preconditions.
//! Blocking HTTP with ureq; TLS by rustls, certificates verified against the Mozilla roots.

use std::collections::HashMap;
use std::time::Duration;

/// What went wrong with one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DavError {
    /// The server answered with this status.
    Status(u16, String),
    /// No answer: connection, TLS or timeout.
    Transport(String),
}

impl std::fmt::Display for DavError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DavError::Status(code, text) => write!(f, "the server answered {code} {text}"),
            DavError::Transport(e) => write!(f, "{e}"),
        }
    }
}

/// Which state of a resource a write requires.
#[derive(Debug, Clone, Copy)]
pub enum Precondition<'a> {
    /// `If-None-Match: *`: the resource must not exist yet.
    Absent,
    /// `If-Match`: the resource must still be the version with this ETag.
    Matches(&'a str),
}

pub struct Dav {
    agent: ureq::Agent,
    authorization: Option<String>,
}

impl Dav {
    /// A client sending HTTP basic credentials when `username` is given.
    pub fn new(username: Option<&str>, password: Option<&str>) -> Self {
        use base64::Engine as _;
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_secs(15))
            .timeout(Duration::from_secs(60))
            .redirects(0)
            .build();
        let authorization = username.map(|user| {
            let pair = format!("{user}:{}", password.unwrap_or(""));
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(pair)
            )
        });
        Dav {
            agent,
            authorization,
        }
    }

    fn request(&self, method: &str, url: &str) -> ureq::Request {
        let request = self
            .agent
            .request(method, url)
            .set("User-Agent", concat!("rota/", env!("CARGO_PKG_VERSION")));
        match &self.authorization {
            Some(auth) => request.set("Authorization", auth),
            None => request,
        }
    }

    /// The resources of the collection at `url` (ending with `/`), by file name (decoded), with
    /// their ETags; `None` when the collection does not exist.
    pub fn list(&self, url: &str) -> Result<Option<HashMap<String, String>>, DavError> {
        let body = r#"<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/><d:resourcetype/></d:prop></d:propfind>"#;
        let response = self
            .request("PROPFIND", url)
            .set("Depth", "1")
            .set("Content-Type", "application/xml; charset=utf-8")
            .send_string(body);
        let text = match response {
            Ok(r) => r
                .into_string()
                .map_err(|e| DavError::Transport(e.to_string()))?,
            Err(ureq::Error::Status(404, _)) => return Ok(None),
            Err(e) => return Err(error(e)),
        };
        parse_listing(&text).map(Some)
    }

    /// Creates the calendar collection at `url`; if its parent is missing too (409), creates
    /// the parent as a plain collection first.
    pub fn make_calendar(&self, url: &str, parent: &str) -> Result<(), DavError> {
        match self.request("MKCALENDAR", url).call() {
            Ok(_) => Ok(()),
            Err(ureq::Error::Status(409, _)) => {
                self.request("MKCOL", parent).call().map_err(error)?;
                self.request("MKCALENDAR", url).call().map_err(error)?;
                Ok(())
            }
            Err(e) => Err(error(e)),
        }
    }

    /// Puts `body` at `url` under `precondition`; returns the new ETag if the server says it.
    pub fn put(
        &self,
        url: &str,
        body: &str,
        precondition: Precondition,
    ) -> Result<Option<String>, DavError> {
        let request = self
            .request("PUT", url)
            .set("Content-Type", "text/calendar; charset=utf-8");
        let request = match precondition {
            Precondition::Absent => request.set("If-None-Match", "*"),
            Precondition::Matches(etag) => request.set("If-Match", etag),
        };
        let response = request.send_string(body).map_err(error)?;
        Ok(response.header("ETag").map(str::to_string))
    }

    /// Deletes the resource at `url` if it is still the version with `etag`.
    pub fn delete(&self, url: &str, etag: &str) -> Result<(), DavError> {
        match self.request("DELETE", url).set("If-Match", etag).call() {
            Ok(_) | Err(ureq::Error::Status(404, _)) => Ok(()),
            Err(e) => Err(error(e)),
        }
    }
}

impl Dav {
    /// Deletes the collection at `url` with everything in it; one already gone is fine.
    pub fn delete_collection(&self, url: &str) -> Result<(), DavError> {
        match self.request("DELETE", url).call() {
            Ok(_) | Err(ureq::Error::Status(404, _)) => Ok(()),
            Err(e) => Err(error(e)),
        }
    }
}

fn error(e: ureq::Error) -> DavError {
    match e {
        ureq::Error::Status(code, response) => {
            DavError::Status(code, response.status_text().to_string())
        }
        ureq::Error::Transport(t) => DavError::Transport(t.to_string()),
    }
}

/// A `207 Multi-Status` answer to PROPFIND → the non-collection members by decoded file name.
fn parse_listing(text: &str) -> Result<HashMap<String, String>, DavError> {
    let bad =
        |e: String| DavError::Transport(format!("the server's listing is not WebDAV XML: {e}"));
    let doc = roxmltree::Document::parse(text).map_err(|e| bad(e.to_string()))?;
    let dav = |node: &roxmltree::Node, name: &str| {
        node.is_element()
            && node.tag_name().name() == name
            && node.tag_name().namespace() == Some("DAV:")
    };
    let mut members = HashMap::new();
    for response in doc.descendants().filter(|n| dav(n, "response")) {
        let Some(href) = response
            .descendants()
            .find(|n| dav(n, "href"))
            .and_then(|n| n.text())
        else {
            continue;
        };
        let is_collection = response.descendants().any(|n| dav(&n, "collection"));
        let etag = response
            .descendants()
            .find(|n| dav(n, "getetag"))
            .and_then(|n| n.text());
        if is_collection || href.ends_with('/') {
            continue;
        }
        let Some(etag) = etag else { continue };
        let name = href.rsplit('/').next().unwrap_or(href);
        members.insert(percent_decode(name), etag.trim().to_string());
    }
    Ok(members)
}

/// Percent-encodes everything but RFC 3986's unreserved characters: a path segment.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = text
            .get(i + 1..i + 3)
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_gives_the_members_by_decoded_name_without_the_collection() {
        let xml = r#"<?xml version='1.0' encoding='utf-8'?>
<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><response><href>/rota/team/</href><propstat><prop><getetag>"c"</getetag><resourcetype><C:calendar /><collection /></resourcetype></prop></propstat></response><response><href>/rota/team/a%40b%2BPT3H.ics</href><propstat><prop><getetag>"e1"</getetag><resourcetype /></prop></propstat></response></multistatus>"#;
        let members = parse_listing(xml).unwrap();
        assert_eq!(members.len(), 1);
        assert_eq!(members["a@b+PT3H.ics"], "\"e1\"");
        assert_eq!(percent_encode("a@b+PT3H.ics"), "a%40b%2BPT3H.ics");
        assert_eq!(percent_decode(&percent_encode("équipe@x")), "équipe@x");
    }
}

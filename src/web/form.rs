//! Reading URL-encoded form bodies strictly: a field or value whose bytes
//! are not UTF-8 is refused with 400, not turned into U+FFFD and stored.

use actix_web::HttpRequest;
use actix_web::http::header;
use percent_encoding::percent_decode;

use crate::web::error::AppError;

/// Refuses a body that is not a URL-encoded HTML form.
pub fn require_urlencoded(req: &HttpRequest) -> Result<(), AppError> {
    if content_type(req).starts_with("application/x-www-form-urlencoded") {
        Ok(())
    } else {
        Err(AppError::BadRequest(
            "Expected a submitted HTML form.".into(),
        ))
    }
}

pub fn content_type(req: &HttpRequest) -> &str {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

const NOT_UTF8: &str = "The form contains text that is not valid UTF-8. \
                        Check what was pasted into it and send it again.";

/// The body's `name=value` pairs, decoded, in the order sent.
pub fn pairs(body: &[u8]) -> Result<Vec<(String, String)>, AppError> {
    body.split(|&b| b == b'&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut halves = part.splitn(2, |&b| b == b'=');
            let name = decode(halves.next().unwrap_or_default())?;
            let value = decode(halves.next().unwrap_or_default())?;
            Ok((name, value))
        })
        .collect()
}

fn decode(raw: &[u8]) -> Result<String, AppError> {
    // `+` is a space in forms; a literal plus arrives as %2B.
    let spaced: Vec<u8> = raw
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    percent_decode(&spaced)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| AppError::BadRequest(NOT_UTF8.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_decode_like_browsers_send_them() {
        let got = pairs(b"a=1&b=x+y%2Bz&c=&d&e=%C3%A9t%C3%A9&a=2").unwrap();
        let want = [
            ("a", "1"),
            ("b", "x y+z"),
            ("c", ""),
            ("d", ""),
            ("e", "été"),
            ("a", "2"),
        ];
        assert_eq!(
            got,
            want.map(|(k, v)| (k.to_string(), v.to_string())).to_vec()
        );
    }

    #[test]
    fn invalid_utf8_is_refused_not_replaced() {
        for bad in [&b"pain=%FF%FE"[..], b"%C3=x", b"t.ci.pain=caf%E9"] {
            assert!(
                matches!(pairs(bad), Err(AppError::BadRequest(_))),
                "{bad:?}"
            );
        }
    }
}

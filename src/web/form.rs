//! Reading URL-encoded form bodies strictly: a field or value whose bytes
//! are not UTF-8 is refused with 400, not turned into U+FFFD and stored.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use percent_encoding::percent_decode;

use crate::web::error::AppError;

/// Largest form body accepted (uploads have their own limit).
pub const BODY_LIMIT: usize = 1024 * 1024;
/// How much of an oversized body is still read (and thrown away) so the
/// client can finish sending and read the 413. Closing on unread data makes
/// the kernel reset the connection, and the client then sees "connection
/// reset" instead of the answer. Past this, the connection is cut.
const DRAIN_LIMIT: usize = 16 * 1024 * 1024;

/// A form body of at most `BODY_LIMIT` bytes; larger is a 413 (after the
/// rest is drained, up to `DRAIN_LIMIT`).
pub struct FormBody(pub web::Bytes);

impl FromRequest for FormBody {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(_: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let payload = payload.take();
        Box::pin(async move { Ok(FormBody(read_limited(payload, BODY_LIMIT).await?)) })
    }
}

/// Reads a body of at most `limit` bytes.
pub async fn read_limited(mut payload: Payload, limit: usize) -> Result<web::Bytes, AppError> {
    let mut body = web::BytesMut::new();
    let mut seen = 0;
    while let Some(chunk) = payload.next().await {
        let chunk = match chunk {
            Ok(chunk) => chunk,
            // Already too large: that is the answer, however the rest went.
            Err(_) if seen > limit => break,
            Err(_) => {
                return Err(AppError::BadRequest(
                    "The request body could not be read in time.".into(),
                ));
            }
        };
        seen += chunk.len();
        if seen <= limit {
            body.extend_from_slice(&chunk);
        } else if seen > DRAIN_LIMIT {
            break;
        }
    }
    if seen > limit {
        return Err(AppError::PayloadTooLarge(format!(
            "What you sent is larger than {} KiB.",
            limit / 1024
        )));
    }
    Ok(body.freeze())
}

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

//! Respondents' links, and the keys that tie a link to its response without
//! storing the tie.
//!
//! A link's token is never stored. An invitation keeps a random seed, from
//! which the server makes the token with its secret (to write emails), and
//! the token's SHA-256 (to find the invitation when the link is opened). A
//! response is filed under another keyed hash of the token. So the database
//! alone can neither open a member's link nor tell which response is whose;
//! the server, holding `SECRET_KEY`, can do both while a round is open, and
//! the round's closing erases the response's key (see `surveys::close_round`).

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::secret::{Secret, hex, random_hex};

/// The two keys derived from `SECRET_KEY`, each for one purpose.
#[derive(Clone)]
pub struct LinkKeys {
    token: Secret<Vec<u8>>,
    respondent: Secret<Vec<u8>>,
}

impl LinkKeys {
    /// Domain-separated from each other and from the session cookie key
    /// that comes from the same secret.
    pub fn new(secret: &Secret<String>) -> Self {
        let derive = |purpose: &str| {
            Secret::new(format!("infrapulse-{purpose}:{}", secret.expose()).into_bytes())
        };
        LinkKeys {
            token: derive("token"),
            respondent: derive("respondent"),
        }
    }

    /// The token of the invitation with `seed`: 128 bits, 32 hex digits.
    pub fn token(&self, seed: &str) -> String {
        let mac = hmac(self.token.expose(), seed.as_bytes());
        hex(&mac[..16])
    }

    /// The token of an invitation as stored: from its seed, or the token
    /// itself for links emailed before tokens were derived.
    pub fn token_of(&self, seed: Option<&str>, legacy: Option<&str>) -> Option<String> {
        seed.map(|s| self.token(s))
            .or_else(|| legacy.map(str::to_owned))
    }

    /// The key the token's response is filed under.
    pub fn respondent_key(&self, token: &str) -> String {
        hex(&hmac(self.respondent.expose(), token.as_bytes()))
    }
}

fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// A new invitation's seed: 128 random bits.
pub fn new_seed() -> String {
    random_hex(16)
}

/// What an invitation is found by. A plain hash is enough: the token has 128
/// random bits, so nothing can be guessed from it.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Whether `raw` has the form of a token; anything else is not looked up.
pub fn is_token_shaped(raw: &str) -> bool {
    raw.len() == 32
        && raw
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &str) -> LinkKeys {
        LinkKeys::new(&Secret::new(secret.to_owned()))
    }

    #[test]
    fn tokens_come_from_seed_and_secret() {
        let (a, b) = (keys("secret-one"), keys("secret-two"));
        let seed = new_seed();
        let token = a.token(&seed);
        assert!(is_token_shaped(&token), "{token}");
        assert_eq!(token, a.token(&seed));
        assert_ne!(token, b.token(&seed), "another secret, another token");
        assert_ne!(token, a.token(&new_seed()));
        assert_eq!(a.token_of(None, Some("legacy")).as_deref(), Some("legacy"));
    }

    #[test]
    fn the_respondent_key_is_not_the_lookup_hash() {
        let k = keys("secret-one");
        let token = k.token(&new_seed());
        assert_eq!(k.respondent_key(&token).len(), 64);
        assert_ne!(k.respondent_key(&token), token_hash(&token));
        assert_ne!(k.respondent_key(&token), keys("x").respondent_key(&token));
    }

    #[test]
    fn only_token_shapes_are_looked_up() {
        for bad in ["", "abc", &"g".repeat(32), &"A".repeat(32), &"a".repeat(33)] {
            assert!(!is_token_shaped(bad), "{bad}");
        }
    }
}

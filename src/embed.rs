//! Files compiled into the binary, so it runs from any folder: page
//! templates (`web::templates`) and email templates (`mail::templates`).

/// Embeds each named file of `templates/<folder>` under its own name.
macro_rules! embedded {
    ($folder:literal: $($name:literal),* $(,)?) => {
        &[$((
            $name,
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/", $folder, $name)),
        )),*]
    };
}
pub(crate) use embedded;

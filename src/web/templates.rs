//! Page templates, embedded in the binary so it runs from any folder.
//!
//! Tera escapes only templates whose names end in `.html`; every page template
//! is named so, and a test renders hostile text to prove it.

use tera::{Context, Tera};

use crate::web::error::AppError;

const TEMPLATES: &[(&str, &str)] = crate::embed::embedded![
    "":
    "base.html",
    "macros.html",
    "charts.html",
    "warnings.html",
    "theme_triage.html",
    "tool_themes.html",
    "priorities.html",
    "exports.html",
    "tool_results.html",
    "round_results.html",
    "error.html",
    "confirm.html",
    "login.html",
    "dashboard.html",
    "accounts.html",
    "teams.html",
    "team.html",
    "team_form.html",
    "tools.html",
    "tool.html",
    "tool_form.html",
    "categories.html",
    "members.html",
    "member_form.html",
    "adoption.html",
    "import.html",
    "import_preview.html",
    "respond.html",
    "thanks.html",
    "programs.html",
    "program.html",
    "program_form.html",
    "round.html",
    "outbox.html",
    "stop.html",
];

pub struct Templates {
    tera: Tera,
}

impl Templates {
    pub fn new() -> anyhow::Result<Self> {
        let mut tera = Tera::default();
        tera.add_raw_templates(TEMPLATES.to_vec())
            .map_err(|e| anyhow::anyhow!("a template does not parse: {e:?}"))?;
        tera.autoescape_on(vec![".html"]);
        Ok(Templates { tera })
    }

    pub fn render(&self, name: &str, context: &Context) -> Result<String, AppError> {
        Ok(self.tera.render(name, context)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_is_escaped() {
        for (name, _) in TEMPLATES {
            assert!(name.ends_with(".html"), "{name} would not be autoescaped");
        }
        let templates = Templates::new().unwrap();
        let mut ctx = Context::new();
        ctx.insert("status", &404);
        ctx.insert("version", "0");
        ctx.insert("title", "Not found");
        ctx.insert("message", "<script>alert(1)</script>");
        let html = templates.render("error.html", &ctx).unwrap();
        assert!(!html.contains("<script>alert(1)"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;"));
    }
}

//! Checks of a page as a whole in the browser: accessibility with axe-core (product.md F6) and
//! a screenshot for people to look at.

use super::Browser;
use reqwest::Method;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::OnceLock;

/// axe-core as `scripts/test.sh` installs it (npm, `scripts/checkers`).
fn axe_source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../scripts/checkers/node_modules/axe-core/axe.min.js");
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "axe-core is missing at {} ({e}); run scripts/test.sh, which installs it with \
                 `npm ci --prefix scripts/checkers`",
                path.display()
            )
        })
    })
}

impl Browser {
    /// The axe-core violations of impact *serious* or *critical* on the current page, one line
    /// each (rule, help text, the elements). WCAG 2.1 A and AA rules plus axe's best practices.
    pub async fn axe_violations(&self) -> Vec<String> {
        let loaded = self
            .s()
            .execute(
                &format!("{}\n;return typeof axe === 'object';", axe_source()),
                vec![],
            )
            .await;
        assert_eq!(loaded, Ok(Value::Bool(true)), "loading axe-core");
        // WebDriver waits for a returned promise.
        let run = self
            .s()
            .execute(
                "return axe.run(document, { resultTypes: ['violations'] }).then(r => r.violations\
                   .filter(v => v.impact === 'serious' || v.impact === 'critical')\
                   .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' @ ' \
                        + v.nodes.map(n => n.target.join(' ')).slice(0, 5).join(', ')));",
                vec![],
            )
            .await;
        match run {
            Ok(Value::Array(items)) => items
                .into_iter()
                .map(|v| v.as_str().unwrap_or_default().to_string())
                .collect(),
            other => panic!("running axe-core: {other:?}"),
        }
    }

    /// With `GG_SCREENSHOTS` set to a directory, a PNG of the whole current page under `name`.
    pub async fn screenshot_if_asked(&self, name: &str) {
        use base64::Engine;
        let Some(dir) = std::env::var_os("GG_SCREENSHOTS") else {
            return;
        };
        let height = self
            .s()
            .execute(
                "return Math.min(document.documentElement.scrollHeight, 8000);",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_i64())
            .unwrap_or(900);
        // Beyond the window: the whole page, as a reviewer scrolls through it.
        let shot = self
            .s()
            .cmd(
                Method::POST,
                "/goog/cdp/execute",
                Some(json!({ "cmd": "Page.captureScreenshot", "params": {
                    "captureBeyondViewport": true,
                    "clip": { "x": 0, "y": 0, "width": 1280, "height": height.max(600), "scale": 1 }
                }})),
            )
            .await;
        if let Ok(result) = shot
            && let Some(png) = result.get("data").and_then(Value::as_str)
            && let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(png)
        {
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(PathBuf::from(dir).join(format!("{name}.png")), bytes);
        }
    }
}

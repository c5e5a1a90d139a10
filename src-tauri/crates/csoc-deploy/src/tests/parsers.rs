//! Property tests of the readers of an operator's deployment files (values and Argo CD app YAML,
//! manifest.json, user.yaml): whatever the bytes, a value or a `CoreError` in words, never a panic
//! or a hang. The inputs are csoc-mesh's property tests' (csoc_test_support::parsers).

use csoc_test_support::parsers::{config, jsonish, readable, yamlish};
use proptest::prelude::*;

use crate::gitops::ArgoApp;
use crate::import_report::require_gen3_values;
use crate::manifest::parse_manifest;
use crate::user_yaml::parse_user_yaml;
use crate::yaml::parse_yaml;

proptest! {
    #![proptest_config(config())]

    #[test]
    fn values_and_app_yaml_never_panic(text in prop_oneof![yamlish(), jsonish(), any::<String>()]) {
        if let Ok(doc) = parse_yaml(&text, "values.yaml") {
            if let Err(e) = ArgoApp::from_document(&doc, "templates/app.yaml") { readable(&e.message) }
            if let Err(e) = require_gen3_values(&doc, "values.yaml") { readable(&e.message) }
        }
    }

    #[test]
    fn manifest_and_user_yaml_never_panic(text in prop_oneof![jsonish(), yamlish(), any::<String>()]) {
        if let Err(e) = parse_manifest(&text, "manifest.json") { readable(&e.message) }
        if let Err(e) = parse_user_yaml(&text, "user.yaml") { readable(&e.message) }
    }
}

//! docs/examples: the answers files a user starts from. The example mesh's hub folder is what its
//! hub answers render (regenerate it with `GEN3_CSOC_BLESS_EXAMPLES=1 cargo test -p csoc-mesh
//! --test examples`), and `gen3-csoc mesh render` writes the hub's files from the mesh answers.

use std::path::{Path, PathBuf};

use csoc_deploy::cli::render;
use csoc_deploy::yaml::{get_path, parse_yaml};
use csoc_mesh::cli;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../docs/examples")
}

fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_example_hub_folder_is_what_its_answers_render() {
    let out = tempfile::tempdir().unwrap();
    render(&examples().join("mesh/hub-commons.yaml"), out.path(), &[]).expect("the hub answers pass the checks");
    let committed = examples().join("mesh/gitops");
    if std::env::var_os("GEN3_CSOC_BLESS_EXAMPLES").is_some() {
        let _ = std::fs::remove_dir_all(&committed);
        for rel in files_under(out.path()) {
            std::fs::create_dir_all(committed.join(&rel).parent().unwrap()).unwrap();
            std::fs::copy(out.path().join(&rel), committed.join(&rel)).unwrap();
        }
    }
    let rendered = files_under(out.path());
    assert_eq!(files_under(&committed), rendered, "docs/examples/mesh/gitops is stale: bless the examples");
    for rel in rendered {
        assert_eq!(
            std::fs::read_to_string(committed.join(&rel)).unwrap(),
            std::fs::read_to_string(out.path().join(&rel)).unwrap(),
            "{} is stale: bless the examples",
            rel.display()
        );
    }
}

#[test]
fn mesh_render_writes_the_hubs_files_and_the_members_snippets() {
    let out = tempfile::tempdir().unwrap();
    let printed = cli::render(&examples().join("mesh/mesh.yaml"), out.path()).expect("the example mesh renders");
    let values_path = out.path().join("hub/hub.example.org/values/values.yaml");
    assert!(printed.contains(&format!("wrote {}", values_path.display())), "{printed}");
    let values = parse_yaml(&std::fs::read_to_string(&values_path).unwrap(), "values.yaml").unwrap();
    assert_eq!(get_path(&values, "metadata.useAggMds"), Some(&serde_yaml_ng::Value::Bool(true)));
    assert!(get_path(&values, "metadata.aggMdsConfig").and_then(|v| v.as_str()).unwrap().contains("beta.example.org"));
    let env = get_path(&values, "indexd.env").and_then(|v| v.as_sequence()).expect("indexd.env");
    assert!(env.iter().any(|e| e.get("name").and_then(|n| n.as_str()) == Some("DIST")));
    assert!(printed.contains("Add to Beta's values"), "the member that logs in through the hub: {printed}");
    assert!(printed.contains("api_base_url: https://hub.example.org/user"), "{printed}");

    let missing = cli::render(&examples().join("mesh/no-such-mesh.yaml"), out.path()).unwrap_err();
    assert!(missing.message.contains("no-such-mesh.yaml"), "{}", missing.message);
}

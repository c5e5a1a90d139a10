use csoc_core::deploy::{generate::generate, import::import_path};
fn main() {
    let p = std::env::args().nth(1).unwrap();
    let imp = import_path(std::path::Path::new(&p)).unwrap();
    let g = generate(&imp.answers).unwrap();
    let before = &imp.answers.base.as_ref().unwrap().values;
    let after = csoc_core::deploy::yaml::yaml_to_json(&g.values);
    fn walk(p: &str, a: &serde_json::Value, b: &serde_json::Value) {
        if a == b { return; }
        match (a, b) {
            (serde_json::Value::Object(x), serde_json::Value::Object(y)) => {
                for (k, v) in x { walk(&format!("{p}.{k}"), v, y.get(k).unwrap_or(&serde_json::Value::Null)); }
                for (k, v) in y { if !x.contains_key(k) { println!("+ {p}.{k} = {v}"); } }
            }
            _ => println!("~ {p}: {a} -> {b}"),
        }
    }
    walk("", before, &after);
    for f in &g.files { if let Some(s) = imp.answers.base.as_ref().unwrap().sources.iter().find(|s| s.path == f.path || f.path.ends_with(&format!("/{}", s.path))) { if s.text != f.contents { println!("FILE DIFF {}", f.path); } } else { println!("NEW FILE {}", f.path); } }
    for w in &imp.warnings { println!("warn {}: {}", w.code, &w.message[..w.message.len().min(150)]); }
}

use csoc_core::deploy::{generate::generate, import::import_path};
fn main() {
    let p = std::env::args().nth(1).unwrap();
    let rel = std::env::args().nth(2);
    let mut imp = import_path(std::path::Path::new(&p)).unwrap();
    if let Some(r) = rel { imp.answers.identity.release = r; }
    let g = generate(&imp.answers).unwrap();
    let base = imp.answers.base.as_ref().unwrap();
    for s in &base.sources {
        if let Some(f) = g.files.iter().find(|f| f.path == s.path) {
            if f.contents != s.text { println!("{}", similar::TextDiff::from_lines(&s.text, &f.contents).unified_diff().context_radius(1)); }
        }
    }
    for n in &g.layout_notes { println!("note: {n}"); }
}

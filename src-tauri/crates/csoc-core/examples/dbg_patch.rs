use yamlpath::{Component, Route};
fn main() {
    let text = std::fs::read_to_string(std::env::args().nth(1).unwrap()).unwrap();
    let doc = yamlpath::Document::new(text.clone()).unwrap();
    for r in [vec!["arborist","image","tag"], vec!["ambassador","jupyterNamespace"], vec!["arborist","replicaCount"]] {
        let route = Route::from(r.iter().map(|k| Component::Key(k.to_string().into())).collect::<Vec<_>>());
        let f = doc.query_exact(&route).unwrap().unwrap();
        println!("{:?} -> {:?} {:?}", r, doc.extract(&f), f.location.byte_span);
    }
}

//! Writes the values model derived from a gen3-helm `helm/` folder to stdout; see
//! `csoc_deploy::chart_model`. Usage: `chart-model <gen3-helm>/helm > src/deploy/chart_values.json`.

fn main() {
    let Some(dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: chart-model <gen3-helm>/helm");
        std::process::exit(2);
    };
    match csoc_deploy::chart_model::derive(std::path::Path::new(&dir)) {
        Ok(model) => println!("{}", serde_json::to_string_pretty(&model).unwrap_or_default()),
        Err(e) => {
            eprintln!("{}", e.message);
            std::process::exit(1);
        }
    }
}

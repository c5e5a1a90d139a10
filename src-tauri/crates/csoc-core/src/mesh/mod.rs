//! Data meshes: the hub's aggregate metadata (AggMDS) configuration, the federation entries that
//! join member commons (WTS external_oidc, Fence as IdP, indexd dist), the mapping preview over
//! members' real metadata, and the mesh view.

pub mod aggmds;
pub mod federation;
pub mod mapping;
pub mod view;

//! Listeners and connections: one accept task per commons; a listener that can be closed and
//! re-bound on the same port synchronously (for whole-commons `Fault::Down`).

use std::collections::{HashMap, HashSet, VecDeque};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::{CommonsSpec, CommonsState, Fault, FleetInner, RecordedRequest, Service, TlsMode, REQUEST_LOG_CAPACITY};

struct Slot {
    listener: Option<TcpListener>,
    waker: Option<Waker>,
}

pub(crate) struct Commons {
    pub(crate) spec: CommonsSpec,
    pub(crate) port: u16,
    pub(crate) base_url: String,
    pub(crate) kid: String,
    pub(crate) state: Mutex<CommonsState>,
    slot: Mutex<Slot>,
    /// Bumped to drop every open connection (commons going down, held requests released).
    kill: watch::Sender<u64>,
    /// Duplicates of the open connections' sockets, to shut them down synchronously when the
    /// commons goes down (so a pooled keep-alive connection sees EOF at once).
    open: Mutex<HashMap<u64, std::net::TcpStream>>,
    pub(crate) next_conn: std::sync::atomic::AtomicU64,
}

impl Commons {
    pub(crate) fn new(spec: CommonsSpec, port: u16, base_url: String, listener: TcpListener) -> Self {
        let kid = format!("fence_key_{}", spec.name);
        Self {
            spec,
            port,
            base_url,
            kid,
            state: Mutex::new(CommonsState {
                faults: HashMap::new(),
                revoked: HashSet::new(),
                keys: HashMap::new(),
                requests: VecDeque::new(),
                boot: None,
                key_rotations: 0,
            }),
            slot: Mutex::new(Slot { listener: Some(listener), waker: None }),
            kill: watch::channel(0).0,
            open: Mutex::new(HashMap::new()),
            next_conn: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// The key ids fence publishes: its first key, then one more per rotation.
    pub(crate) fn published_kids(&self) -> Vec<String> {
        let rotations = self.state.lock().unwrap().key_rotations;
        std::iter::once(self.kid.clone()).chain((1..=rotations).map(|g| format!("{}_{g}", self.kid))).collect()
    }

    /// The `iss` of this commons' tokens: fence's BASE_URL, including `/user`.
    pub(crate) fn issuer(&self) -> String {
        format!("{}/user", self.base_url)
    }

    pub(crate) fn remember_key(&self, jti: &str, user: &str, sub: &str, exp: i64) {
        let mut st = self.state.lock().unwrap();
        if st.keys.len() > 100_000 {
            st.keys.clear();
        }
        st.keys.insert(jti.to_string(), (user.to_string(), sub.to_string(), exp));
    }

    pub(crate) fn revoke(&self, jti: &str) {
        self.state.lock().unwrap().revoked.insert(jti.to_string());
    }

    pub(crate) fn is_revoked(&self, jti: &str) -> bool {
        self.state.lock().unwrap().revoked.contains(jti)
    }

    pub(crate) fn user_of(&self, jti: &str) -> Option<String> {
        self.state.lock().unwrap().keys.get(jti).map(|k| k.0.clone())
    }

    /// (jti, exp) of the unrevoked keys of this subject.
    pub(crate) fn keys_of(&self, sub: &str) -> Vec<(String, i64)> {
        let st = self.state.lock().unwrap();
        let mut v: Vec<_> = st
            .keys
            .iter()
            .filter(|(jti, k)| k.1 == sub && !st.revoked.contains(*jti))
            .map(|(jti, k)| (jti.clone(), k.2))
            .collect();
        v.sort();
        v
    }

    pub(crate) fn record(&self, r: RecordedRequest) {
        let mut st = self.state.lock().unwrap();
        if st.requests.len() >= REQUEST_LOG_CAPACITY {
            st.requests.pop_front();
        }
        st.requests.push_back(r);
    }

    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        self.state.lock().unwrap().requests.iter().cloned().collect()
    }

    pub(crate) fn clear_requests(&self) {
        self.state.lock().unwrap().requests.clear();
    }

    /// (whole-commons fault, this service's fault)
    pub(crate) fn faults_for(&self, service: Option<Service>) -> (Option<Fault>, Option<Fault>) {
        let st = self.state.lock().unwrap();
        let whole = st.faults.get(&None).cloned();
        let svc = service.and_then(|s| st.faults.get(&Some(s)).cloned());
        (whole, svc)
    }

    pub(crate) fn set_fault(&self, handle: &tokio::runtime::Handle, service: Option<Service>, fault: Option<Fault>) {
        let mut st = self.state.lock().unwrap();
        let was_down = st.faults.get(&None) == Some(&Fault::Down);
        let old = match fault {
            Some(f) => st.faults.insert(service, f),
            None => st.faults.remove(&service),
        };
        let is_down = st.faults.get(&None) == Some(&Fault::Down);
        let release_held = old == Some(Fault::Timeout) && st.faults.get(&service) != Some(&Fault::Timeout);
        drop(st);
        if is_down && !was_down {
            self.close_listener();
            for (_, s) in self.open.lock().unwrap().drain() {
                let _ = s.shutdown(std::net::Shutdown::Both);
            }
            self.kill.send_modify(|e| *e += 1);
        } else if release_held {
            self.kill.send_modify(|e| *e += 1);
        }
        if was_down && !is_down {
            self.rebind(handle);
        }
    }

    pub(crate) fn close_listener(&self) {
        let l = self.slot.lock().unwrap().listener.take();
        drop(l);
    }

    fn rebind(&self, handle: &tokio::runtime::Handle) {
        let mut last_err = None;
        for _ in 0..100 {
            match std::net::TcpListener::bind(("127.0.0.1", self.port)) {
                Ok(l) => {
                    if l.set_nonblocking(true).is_err() {
                        continue;
                    }
                    let _guard = handle.enter();
                    match TcpListener::from_std(l) {
                        Ok(l) => {
                            let mut slot = self.slot.lock().unwrap();
                            slot.listener = Some(l);
                            if let Some(w) = slot.waker.take() {
                                w.wake();
                            }
                            return;
                        }
                        Err(e) => last_err = Some(e),
                    }
                }
                Err(e) => last_err = Some(e),
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        eprintln!("gen3-sim: could not re-bind 127.0.0.1:{} for {}: {:?}", self.port, self.spec.name, last_err);
    }

    fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<std::io::Result<(TcpStream, SocketAddr)>> {
        let mut slot = self.slot.lock().unwrap();
        match &mut slot.waker {
            Some(w) => w.clone_from(cx.waker()),
            None => slot.waker = Some(cx.waker().clone()),
        }
        match &slot.listener {
            Some(l) => l.poll_accept(cx),
            None => Poll::Pending,
        }
    }
}

pub(crate) async fn accept_loop(fleet: Arc<FleetInner>, c: Arc<Commons>) {
    let mut shutdown = fleet.shutdown.subscribe();
    if *shutdown.borrow_and_update() {
        return;
    }
    loop {
        let accepted = tokio::select! {
            biased;
            _ = shutdown.changed() => return,
            r = std::future::poll_fn(|cx| c.poll_accept(cx)) => r,
        };
        match accepted {
            Ok((stream, _)) => {
                let _ = stream.set_nodelay(true);
                tokio::spawn(serve_conn(fleet.clone(), c.clone(), stream));
            }
            // e.g. too many open files: back off instead of spinning.
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

/// Removes a connection from [`Commons::open`] when its task ends.
struct OpenGuard(Arc<Commons>, u64);

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.open.lock().unwrap().remove(&self.1);
    }
}

fn register(c: &Arc<Commons>, stream: TcpStream) -> std::io::Result<(TcpStream, OpenGuard)> {
    let std_stream = stream.into_std()?;
    let dup = std_stream.try_clone()?;
    let stream = TcpStream::from_std(std_stream)?;
    let id = c.next_conn.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    c.open.lock().unwrap().insert(id, dup);
    Ok((stream, OpenGuard(c.clone(), id)))
}

async fn serve_conn(fleet: Arc<FleetInner>, c: Arc<Commons>, stream: TcpStream) {
    let Ok((stream, _guard)) = register(&c, stream) else {
        return;
    };
    let mut shutdown = fleet.shutdown.subscribe();
    let mut kill = c.kill.subscribe();
    if *shutdown.borrow_and_update() {
        return;
    }
    kill.borrow_and_update();
    let acceptor = match c.spec.tls {
        TlsMode::Plain => None,
        TlsMode::TrustedCa => Some(fleet.tls.trusted.clone()),
        TlsMode::SelfSigned => Some(fleet.tls.self_signed.clone()),
        TlsMode::Expired => Some(fleet.tls.expired.clone()),
        TlsMode::ExpiresSoon => Some(fleet.tls.expires_soon.clone()),
    };
    let (f2, c2) = (fleet.clone(), c.clone());
    let svc = service_fn(move |req| {
        let (f, c) = (f2.clone(), c2.clone());
        async move { Ok::<_, Infallible>(crate::routes::handle(f, c, req).await) }
    });
    let conn = async move {
        match acceptor {
            None => {
                let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), svc).await;
            }
            Some(acc) => {
                let Ok(Ok(tls)) = tokio::time::timeout(Duration::from_secs(30), acc.accept(stream)).await else {
                    return;
                };
                let _ = http1::Builder::new().serve_connection(TokioIo::new(tls), svc).await;
            }
        }
    };
    tokio::select! {
        _ = conn => {}
        _ = shutdown.changed() => {}
        _ = kill.changed() => {}
    }
}

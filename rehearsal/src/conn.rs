//! Connections that a handler can cut: the `drop_connection_after_settle_once` fault.
//!
//! Rehearsal serves through [`CuttableListener`], a plain `TcpListener` whose streams carry a
//! shared "cut" switch. Every request sees its connection as [`Peer`] (through axum's
//! `ConnectInfo<Peer>`); [`Peer::cut`] flips the switch. From then on the stream refuses to read
//! or write and sets `SO_LINGER` to zero, so hyper fails writing the response, drops the
//! connection, and the kernel answers with a reset: the client sees a connection error and not
//! one byte of the response, exactly like a gateway that settled and then lost the socket.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::connect_info::Connected;
use axum::serve::IncomingStream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// The switch one connection's stream and its requests share.
#[derive(Debug, Clone, Default)]
struct Switch(Arc<AtomicBool>);

impl Switch {
    fn is_cut(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// Who is on the other end of a request, and the means to hang up on them.
#[derive(Debug, Clone)]
pub struct Peer {
    pub addr: SocketAddr,
    switch: Switch,
}

impl Peer {
    /// Aborts this request's connection: the response the handler returns is never sent.
    pub fn cut(&self) {
        self.switch.0.store(true, Ordering::Release);
        tracing::info!(peer = %self.addr, "rehearsal: connection cut (fault injection)");
    }
}

impl Connected<IncomingStream<'_, CuttableListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, CuttableListener>) -> Self {
        stream.remote_addr().clone()
    }
}

pub struct CuttableListener {
    inner: TcpListener,
}

impl CuttableListener {
    pub fn new(inner: TcpListener) -> Self {
        CuttableListener { inner }
    }
}

impl axum::serve::Listener for CuttableListener {
    type Io = CuttableStream;
    type Addr = Peer;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        // The `TcpListener` impl logs and retries accept errors.
        let (stream, addr) = axum::serve::Listener::accept(&mut self.inner).await;
        let switch = Switch::default();
        (
            CuttableStream {
                inner: stream,
                switch: switch.clone(),
                lingering_off: false,
            },
            Peer { addr, switch },
        )
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(Peer {
            addr: self.inner.local_addr()?,
            switch: Switch::default(),
        })
    }
}

/// A `TcpStream` that fails every read and write once its connection was cut.
pub struct CuttableStream {
    inner: TcpStream,
    switch: Switch,
    lingering_off: bool,
}

impl CuttableStream {
    fn refuse(&mut self) -> io::Error {
        if !self.lingering_off {
            self.lingering_off = true;
            // Close with RST rather than FIN, so nothing looks like an orderly end of response.
            if let Err(e) = self.inner.set_zero_linger() {
                tracing::debug!(error = %e, "rehearsal: could not set SO_LINGER on a cut connection");
            }
        }
        io::Error::new(
            io::ErrorKind::ConnectionAborted,
            "connection cut by Rehearsal",
        )
    }
}

impl AsyncRead for CuttableStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.switch.is_cut() {
            return Poll::Ready(Err(this.refuse()));
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for CuttableStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.switch.is_cut() {
            return Poll::Ready(Err(this.refuse()));
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.switch.is_cut() {
            return Poll::Ready(Err(this.refuse()));
        }
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.switch.is_cut() {
            return Poll::Ready(Err(this.refuse()));
        }
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.switch.is_cut() {
            // No FIN: dropping the stream resets it.
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

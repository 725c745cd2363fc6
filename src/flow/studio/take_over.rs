//! Taking over a session another desk opened on the shared database (that desk crashed, or the
//! talent walked over): on the operator's word only, so two desks never follow one session.

use std::sync::Arc;

use super::{SessionView, Studio};
use crate::error::Result;
use crate::flow::SessionState;

impl Studio {
    /// Makes this desk the session's owner and follows it from here as after a restart.
    pub fn take_over_session(self: &Arc<Self>, id: &str) -> Result<SessionView> {
        let from =
            self.library
                .take_over_session(id, &self.config.operator, self.clock.now_ms())?;
        tracing::info!(session = id, from = %from, "took over a session from another desk");
        let session = self.library.session(id)?;
        if session.provider != self.provider().kind() {
            return Ok(self.view(session, None));
        }
        let session = self.move_rehearsal_link(session)?;
        if session.state == SessionState::AwaitingScan {
            self.watch(session.clone(), None);
        }
        let view = self.recover(session)?;
        let _ = self.updates.send(view.clone());
        Ok(view)
    }
}

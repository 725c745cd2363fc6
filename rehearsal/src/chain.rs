//! `POST /rpc`: Rehearsal's test network, as a chain node answers a wallet app. JSON-RPC 2.0,
//! two methods: `eth_chainId` (Base Sepolia, 84532) and `eth_call` of USDC's
//! `balanceOf(address)` at its Base Sepolia address, answered with the wallet's test funds less
//! what its settled authorizations moved. Anything else is what a node answers to it: another
//! method is `-32601`, a call to another contract or function returns `0x` (no code there),
//! a malformed request `-32600`/`-32602`. A batch (an array) is refused (`-32600`): the app
//! sends one request at a time, and a node may refuse batches.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};
use x402::chain::{balance_call_owner, balance_result};

use super::payment::NETWORK;
use super::service::Service;

pub async fn rpc(State(svc): State<Arc<Service>>, body: String) -> Json<Value> {
    let Ok(request) = serde_json::from_str::<Value>(&body) else {
        return Json(error(Value::Null, -32700, "Parse error"));
    };
    let id = request.get("id").cloned().unwrap_or(Value::Null);
    if request.get("jsonrpc") != Some(&json!("2.0")) || !request.is_object() {
        return Json(error(id, -32600, "Invalid Request"));
    }
    let params = request.get("params").and_then(Value::as_array);
    let answer = match request.get("method").and_then(Value::as_str) {
        Some("eth_chainId") => Ok(json!(format!("0x{:x}", NETWORK.chain_id()))),
        Some("eth_call") => call(&svc, params.map(Vec::as_slice).unwrap_or_default()),
        _ => Err((-32601, "the method does not exist / is not available")),
    };
    Json(match answer {
        Ok(result) => json!({ "jsonrpc": "2.0", "id": id, "result": result }),
        Err((code, message)) => error(id, code, message),
    })
}

fn call(svc: &Service, params: &[Value]) -> Result<Value, (i64, &'static str)> {
    let tx = params.first().and_then(Value::as_object).ok_or((
        -32602,
        "invalid argument 0: a transaction object is required",
    ))?;
    let to = tx.get("to").and_then(Value::as_str).unwrap_or_default();
    let data = tx
        .get("data")
        .or_else(|| tx.get("input"))
        .and_then(Value::as_str)
        .unwrap_or("0x");
    let usdc = to
        .parse::<alloy::primitives::Address>()
        .is_ok_and(|a| a == NETWORK.usdc());
    match (usdc, balance_call_owner(data)) {
        (true, Some(owner)) => Ok(json!(balance_result(
            svc.balance_of(&owner.to_checksum(None))
        ))),
        // No contract at `to`, or a function the test token does not play: empty return data.
        _ => Ok(json!("0x")),
    }
}

fn error(id: Value, code: i64, message: &str) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } })
}

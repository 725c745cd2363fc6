//! A wallet's USDC balance as a chain node answers it: JSON-RPC 2.0 `eth_chainId`, and an
//! `eth_call` of the token's `balanceOf(address)` at the latest block. The wire only, like the
//! rest of this crate: the app sends these and reads the answers; Rehearsal's test network reads
//! the call and answers it, so both sides speak one encoding.

use alloy::primitives::{Address, U256};
use alloy::sol;
use alloy::sol_types::SolCall;
use serde_json::{json, Value};

use crate::Network;

sol! {
    /// ERC-20's balance read.
    function balanceOf(address account) external view returns (uint256);
}

/// Why an answer gave no balance, in words an operator can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("the node answered with an error: {0}")]
    Node(String),
    #[error("the node's answer could not be read: {0}")]
    Unreadable(String),
    #[error("the node is on chain {found}, not {expected}'s chain {chain}", expected = .expected.label(), chain = .expected.chain_id())]
    WrongChain { expected: Network, found: u64 },
    #[error("there is no USDC contract at its address on this node")]
    NoContract,
}

/// `eth_chainId`: which chain the node serves, so a node for another chain is never believed.
pub fn chain_id_request(id: u64) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "method": "eth_chainId", "params": [] })
}

/// `eth_call` of `balanceOf(owner)` on the network's USDC contract.
pub fn balance_request(id: u64, network: Network, owner: Address) -> Value {
    let data = balanceOfCall { account: owner }.abi_encode();
    json!({
        "jsonrpc": "2.0",
        "id": id,
        "method": "eth_call",
        "params": [
            { "to": network.usdc().to_checksum(None), "data": format!("0x{}", hex::encode(data)) },
            "latest"
        ]
    })
}

/// The `result` of a JSON-RPC answer, or the node's error.
pub fn rpc_result(answer: &Value) -> Result<&str, ChainError> {
    if let Some(error) = answer.get("error") {
        let message = error
            .get("message")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| error.to_string());
        return Err(ChainError::Node(message));
    }
    answer
        .get("result")
        .and_then(Value::as_str)
        .ok_or_else(|| ChainError::Unreadable(format!("no result in {answer}")))
}

/// The chain id of an `eth_chainId` result, checked against `expected`.
pub fn check_chain_id(result: &str, expected: Network) -> Result<(), ChainError> {
    let digits = result
        .strip_prefix("0x")
        .ok_or_else(|| ChainError::Unreadable(format!("chain id {result:?}")))?;
    let found = u64::from_str_radix(digits, 16)
        .map_err(|_| ChainError::Unreadable(format!("chain id {result:?}")))?;
    if found == expected.chain_id() {
        Ok(())
    } else {
        Err(ChainError::WrongChain { expected, found })
    }
}

/// The balance in USDC's atomic units (6 decimals) from a `balanceOf` result: one 32-byte word.
/// An empty result (`0x`) is what a node answers for an address with no contract.
pub fn parse_balance(result: &str) -> Result<u128, ChainError> {
    let digits = result
        .strip_prefix("0x")
        .ok_or_else(|| ChainError::Unreadable(format!("balance {result:?}")))?;
    if digits.is_empty() {
        return Err(ChainError::NoContract);
    }
    let bytes = hex::decode(digits)
        .map_err(|_| ChainError::Unreadable(format!("balance {result:?} is not hex")))?;
    let amount = balanceOfCall::abi_decode_returns(&bytes)
        .map_err(|e| ChainError::Unreadable(format!("balance {result:?}: {e}")))?;
    u128::try_from(amount)
        .map_err(|_| ChainError::Unreadable(format!("balance {amount} is too large")))
}

/// The owner a `balanceOf` call's data asks about, or `None` for any other call (the node side).
pub fn balance_call_owner(data: &str) -> Option<Address> {
    let bytes = hex::decode(data.strip_prefix("0x")?).ok()?;
    balanceOfCall::abi_decode(&bytes)
        .ok()
        .map(|call| call.account)
}

/// A `balanceOf` result for `amount` (the node side).
pub fn balance_result(amount: u128) -> String {
    format!(
        "0x{}",
        hex::encode(balanceOfCall::abi_encode_returns(&U256::from(amount)))
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::address;

    const OWNER: Address = address!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266");

    #[test]
    fn the_call_is_erc20_balance_of_on_the_networks_usdc() {
        let request = balance_request(7, Network::BaseSepolia, OWNER);
        assert_eq!(request["method"], "eth_call");
        assert_eq!(
            request["params"][0]["to"],
            "0x036CbD53842c5426634e7929541eC2318f3dCF7e"
        );
        let data = request["params"][0]["data"].as_str().unwrap();
        // keccak256("balanceOf(address)")[..4], then the address in one 32-byte word.
        assert!(
            data.starts_with("0x70a08231000000000000000000000000f39fd6e5"),
            "{data}"
        );
        assert_eq!(data.len(), 2 + 8 + 64);
        assert_eq!(request["params"][1], "latest");
        assert_eq!(balance_call_owner(data), Some(OWNER));
        assert_eq!(balance_call_owner("0xa9059cbb"), None, "another call");
    }

    #[test]
    fn balances_are_read_from_one_word_and_nothing_else() {
        assert_eq!(parse_balance(&balance_result(12_340_000)), Ok(12_340_000));
        assert_eq!(
            parse_balance("0x0000000000000000000000000000000000000000000000000000000000bc4b20"),
            Ok(12_340_000)
        );
        assert_eq!(parse_balance("0x"), Err(ChainError::NoContract));
        assert!(matches!(
            parse_balance("0x12"),
            Err(ChainError::Unreadable(_))
        ));
        assert!(matches!(
            parse_balance("12"),
            Err(ChainError::Unreadable(_))
        ));
        let too_big = format!("0x{}", "ff".repeat(32));
        assert!(matches!(
            parse_balance(&too_big),
            Err(ChainError::Unreadable(_))
        ));
    }

    #[test]
    fn a_node_on_another_chain_or_in_error_is_not_believed() {
        assert_eq!(check_chain_id("0x14a34", Network::BaseSepolia), Ok(()));
        assert_eq!(check_chain_id("0x2105", Network::Base), Ok(()));
        let wrong = check_chain_id("0x1", Network::Base).unwrap_err();
        assert_eq!(
            wrong,
            ChainError::WrongChain {
                expected: Network::Base,
                found: 1
            }
        );
        assert_eq!(
            wrong.to_string(),
            "the node is on chain 1, not Base's chain 8453"
        );
        let answer = json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32601, "message": "method not found"}});
        assert_eq!(
            rpc_result(&answer),
            Err(ChainError::Node("method not found".into()))
        );
        assert_eq!(
            rpc_result(&json!({"jsonrpc": "2.0", "id": 1, "result": "0x1"})),
            Ok("0x1")
        );
        assert!(matches!(
            rpc_result(&json!({"id": 1})),
            Err(ChainError::Unreadable(_))
        ));
    }
}

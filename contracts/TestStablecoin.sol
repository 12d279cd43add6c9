// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title The embedded default's stand-in for USDC (6 decimals); anyone may mint. Never deploy it
/// beside real money: with CHAIN_RPC_URL set the vault uses the configured stablecoin instead.
contract TestStablecoin is ERC20 {
    constructor() ERC20("Test USD Coin", "tUSDC") {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title GPU-hour token of one compute class (1 token = 1 GPU-hour, `decimals` places).
/// @notice The exchange (owner) mints when an account withdraws spot tokens to an address, once per
/// withdrawal id; a holder burns them to deposit back to the exchange, or to redeem them for compute:
/// `gpus` GPUs for `durationHours` hours, gpus x durationHours tokens, which the exchange credits to the holder's
/// account and allocates to providers' committed capacity as leases.
contract GpuHourToken is ERC20, Ownable {
    string public computeClass;
    uint8 private immutable decimals_;
    uint256 public redemptionCount;
    mapping(bytes32 withdrawalId => bool) public minted;

    event MintedForWithdrawal(bytes32 indexed withdrawalId, address indexed to, uint256 amount);
    event DepositedToExchange(address indexed account, uint256 amount);
    event RedemptionRequested(
        uint256 indexed redemptionId, address indexed account, uint32 gpus, uint32 durationHours, uint256 amount
    );

    error AlreadyMinted(bytes32 withdrawalId);
    error ZeroAmount();

    constructor(address owner_, string memory computeClass_, uint8 tokenDecimals)
        ERC20(string.concat(computeClass_, " GPU-hour"), string.concat(computeClass_, "-H"))
        Ownable(owner_)
    {
        computeClass = computeClass_;
        decimals_ = tokenDecimals;
    }

    function decimals() public view override returns (uint8) {
        return decimals_;
    }

    function mint(bytes32 withdrawalId, address to, uint256 amount) external onlyOwner {
        if (amount == 0) revert ZeroAmount();
        if (minted[withdrawalId]) revert AlreadyMinted(withdrawalId);
        minted[withdrawalId] = true;
        _mint(to, amount);
        emit MintedForWithdrawal(withdrawalId, to, amount);
    }

    function depositToExchange(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        _burn(msg.sender, amount);
        emit DepositedToExchange(msg.sender, amount);
    }

    function redeem(uint32 gpus, uint32 durationHours) external returns (uint256 redemptionId) {
        uint256 amount = uint256(gpus) * uint256(durationHours) * 10 ** uint256(decimals_);
        if (amount == 0) revert ZeroAmount();
        _burn(msg.sender, amount);
        redemptionId = ++redemptionCount;
        emit RedemptionRequested(redemptionId, msg.sender, gpus, durationHours, amount);
    }
}

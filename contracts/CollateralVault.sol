// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SettlementPrice} from "./SettlementPrice.sol";

/// @title The exchange's stablecoin vault: deposits, withdrawals and expiry payouts.
/// @notice Deposits move stablecoin into the exchange's custody (its ledger credits the account);
/// the owner (the exchange) withdraws from custody to an address after its ledger debited it, once
/// per withdrawal id. At an expiry the settlement service posts one Merkle root of net payouts,
/// funded from custody, and only once the expiry's price is final on the SettlementPrice contract
/// and equals the price the payouts were computed at. Each leaf is claimed once with a proof; the
/// claims of a root never pay out more than it was funded with.
/// @dev Leaf: keccak256(bytes.concat(keccak256(abi.encode(index, account, amount)))), as
/// OpenZeppelin's StandardMerkleTree builds it for the types (uint256, address, uint256). Claimed
/// leaves are bits of 256-bit words, 255 leaves a word; bit 255 is a sentinel that primeClaims sets
/// ahead of time so that a first claim in a word writes a non-zero slot (5,000 gas instead of 22,100).
contract CollateralVault is Ownable {
    using SafeERC20 for IERC20;

    struct Pool {
        uint128 remainingMinor;
        bool posted;
    }

    uint256 private constant LEAVES_PER_WORD = 255;
    uint256 private constant SENTINEL = 1 << 255;

    IERC20 public immutable stablecoin;
    SettlementPrice public immutable prices;

    /// @notice Stablecoin held for the exchange's ledger: deposits less withdrawals less funded roots.
    uint256 public custodyMinor;
    mapping(bytes32 withdrawalId => bool) public withdrawn;
    mapping(bytes32 expiryId => bytes32) public rootOf;
    mapping(bytes32 root => Pool) private pools;
    mapping(bytes32 root => mapping(uint256 word => uint256)) private claimedWords;

    event Deposited(address indexed account, uint256 amountMinor);
    event Withdrawn(bytes32 indexed withdrawalId, address indexed to, uint256 amountMinor);
    event RootPosted(bytes32 indexed expiryId, bytes32 root, uint256 totalMinor, uint256 priceMicros, uint256 leafCount);
    event Claimed(bytes32 indexed root, uint256 index);

    error ZeroAmount();
    error Overdrawn(uint256 amountMinor, uint256 availableMinor);
    error WithdrawalDone(bytes32 withdrawalId);
    error RootAlreadyPosted(bytes32 expiryId);
    error RootInUse(bytes32 root);
    error PriceNotFinal(bytes32 expiryId);
    error PriceMismatch(uint256 finalMicros, uint256 givenMicros);
    error NoFinalRoot(bytes32 root);
    error AlreadyClaimed(bytes32 root, uint256 index);
    error InvalidProof(bytes32 root, uint256 index);
    error PoolExhausted(uint256 amountMinor, uint256 remainingMinor);

    constructor(address owner_, IERC20 stablecoin_, SettlementPrice prices_) Ownable(owner_) {
        stablecoin = stablecoin_;
        prices = prices_;
    }

    function deposit(uint256 amountMinor) external {
        if (amountMinor == 0) revert ZeroAmount();
        custodyMinor += amountMinor;
        stablecoin.safeTransferFrom(msg.sender, address(this), amountMinor);
        emit Deposited(msg.sender, amountMinor);
    }

    /// @notice Pays a withdrawal the exchange's ledger has debited; once per withdrawal id.
    function withdraw(bytes32 withdrawalId, address to, uint256 amountMinor) external onlyOwner {
        if (amountMinor == 0) revert ZeroAmount();
        if (withdrawn[withdrawalId]) revert WithdrawalDone(withdrawalId);
        uint256 custody = custodyMinor;
        if (amountMinor > custody) revert Overdrawn(amountMinor, custody);
        withdrawn[withdrawalId] = true;
        custodyMinor = custody - amountMinor;
        stablecoin.safeTransfer(to, amountMinor);
        emit Withdrawn(withdrawalId, to, amountMinor);
    }

    /// @notice Posts an expiry's payout root, funded with totalMinor from custody.
    function postRoot(bytes32 expiryId, bytes32 root, uint256 totalMinor, uint256 priceMicros, uint256 leafCount)
        external
        onlyOwner
    {
        if (rootOf[expiryId] != bytes32(0)) revert RootAlreadyPosted(expiryId);
        if (root == bytes32(0) || pools[root].posted) revert RootInUse(root);
        if (!prices.isFinal(expiryId)) revert PriceNotFinal(expiryId);
        uint256 finalMicros = prices.finalPrice(expiryId);
        if (finalMicros != priceMicros) revert PriceMismatch(finalMicros, priceMicros);
        uint256 custody = custodyMinor;
        if (totalMinor > custody || totalMinor > type(uint128).max) revert Overdrawn(totalMinor, custody);
        custodyMinor = custody - totalMinor;
        rootOf[expiryId] = root;
        pools[root] = Pool(uint128(totalMinor), true);
        emit RootPosted(expiryId, root, totalMinor, priceMicros, leafCount);
    }

    /// @notice Sets the sentinel bit of claim words [fromWord, fromWord + count) of a posted root.
    /// Anyone may pay for it; claims are correct with or without it.
    function primeClaims(bytes32 root, uint256 fromWord, uint256 count) external {
        if (!pools[root].posted) revert NoFinalRoot(root);
        mapping(uint256 => uint256) storage words = claimedWords[root];
        for (uint256 w = fromWord; w < fromWord + count; w++) {
            if (words[w] == 0) words[w] = SENTINEL;
        }
    }

    /// @notice Pays leaf `index` of `root`: `amountMinor` to `account`, once.
    function claim(bytes32 root, uint256 index, address account, uint256 amountMinor, bytes32[] calldata proof)
        external
    {
        Pool storage pool = pools[root];
        if (!pool.posted) revert NoFinalRoot(root);
        uint256 word = index / LEAVES_PER_WORD;
        uint256 mask = 1 << (index % LEAVES_PER_WORD);
        uint256 bits = claimedWords[root][word];
        if (bits & mask != 0) revert AlreadyClaimed(root, index);
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(index, account, amountMinor))));
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) revert InvalidProof(root, index);
        uint256 remaining = pool.remainingMinor;
        if (amountMinor > remaining) revert PoolExhausted(amountMinor, remaining);
        pool.remainingMinor = uint128(remaining - amountMinor);
        claimedWords[root][word] = bits | mask;
        stablecoin.safeTransfer(account, amountMinor);
        emit Claimed(root, index);
    }

    function isClaimed(bytes32 root, uint256 index) external view returns (bool) {
        return claimedWords[root][index / LEAVES_PER_WORD] & (1 << (index % LEAVES_PER_WORD)) != 0;
    }

    /// @notice What the root's claims may still pay out, and whether the root is posted.
    function poolOf(bytes32 root) external view returns (uint256 remainingMinor, bool posted) {
        Pool memory p = pools[root];
        return (p.remainingMinor, p.posted);
    }
}

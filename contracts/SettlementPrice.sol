// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

/// @title Final settlement prices of expiring instruments.
/// @notice The oracle signs each expiry's final price (the TWAP of its index over the settlement
/// window) as EIP-712 typed data `FinalPrice`. Anyone may post a signed price; it is accepted when
/// a registered signer signed it, its settlement window is over, and it is neither stale nor from
/// the future. It is then held through a dispute window, during which the owner may void it, and
/// is final afterwards. A final price never changes.
contract SettlementPrice is EIP712, Ownable {
    bytes32 public constant FINAL_PRICE_TYPEHASH =
        keccak256("FinalPrice(bytes32 expiryId,uint256 priceMicros,uint64 windowEnd,uint64 signedAt)");

    struct Posted {
        uint128 priceMicros;
        uint64 postedAt;
        address signer;
    }

    /// @notice Seconds a posted price can be voided before it is final.
    uint64 public immutable disputeWindow;
    /// @notice A signature older than this (seconds) is refused.
    uint64 public immutable maxAge;
    /// @notice A signature this far (seconds) ahead of the block time is still accepted.
    uint64 public immutable maxClockSkew;

    mapping(address => bool) public isSigner;
    mapping(bytes32 expiryId => Posted) private posted;
    mapping(bytes32 digest => bool) public voided;

    event SignerSet(address indexed signer, bool active);
    event PricePosted(bytes32 indexed expiryId, uint256 priceMicros, address signer, uint64 finalAt);
    event PriceVoided(bytes32 indexed expiryId, bytes32 digest);

    error UnknownSigner(address recovered);
    error StaleSignature(uint64 signedAt, uint64 now_);
    error FutureSignature(uint64 signedAt, uint64 now_);
    error WindowNotOver(uint64 windowEnd, uint64 signedAt);
    error PriceAlreadyPosted(bytes32 expiryId);
    error PriceIsVoided(bytes32 digest);
    error PriceOutOfRange(uint256 priceMicros);
    error NoPrice(bytes32 expiryId);
    error NotFinal(bytes32 expiryId, uint64 finalAt);
    error DisputeWindowOver(bytes32 expiryId);

    constructor(address owner_, address[] memory signers, uint64 disputeWindow_, uint64 maxAge_, uint64 maxClockSkew_)
        EIP712("ComputeExchange Settlement", "1")
        Ownable(owner_)
    {
        disputeWindow = disputeWindow_;
        maxAge = maxAge_;
        maxClockSkew = maxClockSkew_;
        for (uint256 i = 0; i < signers.length; i++) {
            isSigner[signers[i]] = true;
            emit SignerSet(signers[i], true);
        }
    }

    function setSigner(address signer, bool active) external onlyOwner {
        isSigner[signer] = active;
        emit SignerSet(signer, active);
    }

    function digestOf(bytes32 expiryId, uint256 priceMicros, uint64 windowEnd, uint64 signedAt)
        public
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(keccak256(abi.encode(FINAL_PRICE_TYPEHASH, expiryId, priceMicros, windowEnd, signedAt)));
    }

    /// @notice Posts the oracle's signed final price of an expiry.
    function postPrice(bytes32 expiryId, uint256 priceMicros, uint64 windowEnd, uint64 signedAt, bytes calldata signature)
        external
    {
        uint64 now_ = uint64(block.timestamp);
        if (posted[expiryId].postedAt != 0) revert PriceAlreadyPosted(expiryId);
        if (priceMicros == 0 || priceMicros > type(uint128).max) revert PriceOutOfRange(priceMicros);
        if (windowEnd > signedAt) revert WindowNotOver(windowEnd, signedAt);
        if (signedAt > now_ + maxClockSkew) revert FutureSignature(signedAt, now_);
        if (now_ > signedAt + maxAge) revert StaleSignature(signedAt, now_);
        bytes32 digest = digestOf(expiryId, priceMicros, windowEnd, signedAt);
        if (voided[digest]) revert PriceIsVoided(digest);
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, signature);
        if (err != ECDSA.RecoverError.NoError || !isSigner[recovered]) revert UnknownSigner(recovered);
        posted[expiryId] = Posted(uint128(priceMicros), now_, recovered);
        emit PricePosted(expiryId, priceMicros, recovered, now_ + disputeWindow);
    }

    /// @notice Voids a posted price inside its dispute window; a new signed price may then be posted.
    function voidPrice(bytes32 expiryId, uint256 priceMicros, uint64 windowEnd, uint64 signedAt) external onlyOwner {
        Posted memory p = posted[expiryId];
        if (p.postedAt == 0) revert NoPrice(expiryId);
        if (block.timestamp >= p.postedAt + disputeWindow) revert DisputeWindowOver(expiryId);
        bytes32 digest = digestOf(expiryId, priceMicros, windowEnd, signedAt);
        voided[digest] = true;
        delete posted[expiryId];
        emit PriceVoided(expiryId, digest);
    }

    /// @notice The posted price and when it becomes (or became) final; zeros when none is posted.
    function priceOf(bytes32 expiryId)
        external
        view
        returns (uint256 priceMicros, uint64 postedAt, uint64 finalAt, address signer)
    {
        Posted memory p = posted[expiryId];
        if (p.postedAt == 0) return (0, 0, 0, address(0));
        return (p.priceMicros, p.postedAt, p.postedAt + disputeWindow, p.signer);
    }

    function isFinal(bytes32 expiryId) public view returns (bool) {
        Posted memory p = posted[expiryId];
        return p.postedAt != 0 && block.timestamp >= p.postedAt + disputeWindow;
    }

    /// @notice The final price; reverts when none is posted or its dispute window is still open.
    function finalPrice(bytes32 expiryId) external view returns (uint256) {
        Posted memory p = posted[expiryId];
        if (p.postedAt == 0) revert NoPrice(expiryId);
        if (block.timestamp < p.postedAt + disputeWindow) revert NotFinal(expiryId, p.postedAt + disputeWindow);
        return p.priceMicros;
    }
}

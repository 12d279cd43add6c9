// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

/// @title Compute providers' slashable collateral.
/// @notice Providers stake stablecoin; the exchange's ledger counts the stake as provider collateral.
/// Stake leaves only when the exchange releases it (the owner's `releaseStake`, once per release id,
/// after its engine found the stake backs no lease, commitment or short), then waits an unbonding
/// delay during which it stays slashable. A slash needs the exchange attester's EIP-712 signed
/// `FailureAttestation` of a failed lease and can run only after the attestation's dispute window
/// (failedAt + disputeWindow); the owner may void an attestation inside that window when a dispute
/// is upheld. A slash pays the lessee first, then the insurance fund, from bonded then unbonding
/// stake, never more than the provider has; each lease is slashed at most once.
contract ProviderCollateral is EIP712, Ownable {
    using SafeERC20 for IERC20;

    bytes32 public constant FAILURE_TYPEHASH = keccak256(
        "FailureAttestation(bytes32 leaseId,address provider,address lessee,uint256 lesseeMinor,uint256 insuranceMinor,uint64 failedAt)"
    );

    struct Stake {
        uint128 bondedMinor;
        uint128 unbondingMinor;
        uint64 unbondableAt;
    }

    struct FailureAttestation {
        bytes32 leaseId;
        address provider;
        address lessee;
        uint256 lesseeMinor;
        uint256 insuranceMinor;
        uint64 failedAt;
    }

    IERC20 public immutable stablecoin;
    uint64 public immutable disputeWindow;
    uint64 public immutable unbondingDelay;
    address public attester;
    address public insuranceFund;

    mapping(address provider => Stake) private stakes;
    mapping(bytes32 leaseId => bool) public slashed;
    mapping(bytes32 leaseId => bool) public voided;
    mapping(bytes32 releaseId => bool) public released;

    event Staked(address indexed provider, uint256 amountMinor);
    event StakeReleased(bytes32 indexed releaseId, address indexed provider, uint256 amountMinor, uint64 unbondableAt);
    event Unbonded(address indexed provider, uint256 amountMinor);
    event Slashed(bytes32 indexed leaseId, address indexed provider, uint256 lesseePaidMinor, uint256 insurancePaidMinor);
    event AttestationVoided(bytes32 indexed leaseId);

    error ZeroAmount();
    error InsufficientStake(uint256 amountMinor, uint256 bondedMinor);
    error StillUnbonding(uint64 unbondableAt);
    error BadAttestation(address recovered);
    error DisputeWindowOpen(uint64 slashableAt);
    error AlreadySlashed(bytes32 leaseId);
    error AlreadyReleased(bytes32 releaseId);
    error AttestationIsVoided(bytes32 leaseId);
    error DelayTooShort(uint64 unbondingDelay, uint64 disputeWindow);

    constructor(
        address owner_,
        IERC20 stablecoin_,
        address attester_,
        address insuranceFund_,
        uint64 disputeWindow_,
        uint64 unbondingDelay_
    ) EIP712("ComputeExchange Collateral", "1") Ownable(owner_) {
        // a provider who fails must not get its stake out before the slash can run
        if (unbondingDelay_ <= disputeWindow_) revert DelayTooShort(unbondingDelay_, disputeWindow_);
        stablecoin = stablecoin_;
        attester = attester_;
        insuranceFund = insuranceFund_;
        disputeWindow = disputeWindow_;
        unbondingDelay = unbondingDelay_;
    }

    function setAttester(address attester_) external onlyOwner {
        attester = attester_;
    }

    function setInsuranceFund(address insuranceFund_) external onlyOwner {
        insuranceFund = insuranceFund_;
    }

    function stake(uint256 amountMinor) external {
        if (amountMinor == 0) revert ZeroAmount();
        stakes[msg.sender].bondedMinor += uint128(amountMinor);
        stablecoin.safeTransferFrom(msg.sender, address(this), amountMinor);
        emit Staked(msg.sender, amountMinor);
    }

    /// @notice The exchange releases a provider's stake (its ledger debited it): it moves to unbonding,
    /// and the whole unbonding amount waits unbondingDelay from now. Once per release id.
    function releaseStake(bytes32 releaseId, address provider, uint256 amountMinor) external onlyOwner {
        if (amountMinor == 0) revert ZeroAmount();
        if (released[releaseId]) revert AlreadyReleased(releaseId);
        Stake storage s = stakes[provider];
        if (amountMinor > s.bondedMinor) revert InsufficientStake(amountMinor, s.bondedMinor);
        released[releaseId] = true;
        s.bondedMinor -= uint128(amountMinor);
        s.unbondingMinor += uint128(amountMinor);
        s.unbondableAt = uint64(block.timestamp) + unbondingDelay;
        emit StakeReleased(releaseId, provider, amountMinor, s.unbondableAt);
    }

    function withdrawUnbonded() external {
        Stake storage s = stakes[msg.sender];
        uint256 amount = s.unbondingMinor;
        if (amount == 0) revert ZeroAmount();
        if (block.timestamp < s.unbondableAt) revert StillUnbonding(s.unbondableAt);
        s.unbondingMinor = 0;
        stablecoin.safeTransfer(msg.sender, amount);
        emit Unbonded(msg.sender, amount);
    }

    function digestOf(FailureAttestation calldata a) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    FAILURE_TYPEHASH, a.leaseId, a.provider, a.lessee, a.lesseeMinor, a.insuranceMinor, a.failedAt
                )
            )
        );
    }

    /// @notice Upholds a provider's dispute: the attestation can no longer slash.
    function voidAttestation(bytes32 leaseId) external onlyOwner {
        if (slashed[leaseId]) revert AlreadySlashed(leaseId);
        voided[leaseId] = true;
        emit AttestationVoided(leaseId);
    }

    /// @notice Executes a signed failure attestation after its dispute window.
    function slash(FailureAttestation calldata a, bytes calldata signature) external {
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(digestOf(a), signature);
        if (err != ECDSA.RecoverError.NoError || recovered != attester) revert BadAttestation(recovered);
        if (slashed[a.leaseId]) revert AlreadySlashed(a.leaseId);
        if (voided[a.leaseId]) revert AttestationIsVoided(a.leaseId);
        uint64 slashableAt = a.failedAt + disputeWindow;
        if (block.timestamp < slashableAt) revert DisputeWindowOpen(slashableAt);
        slashed[a.leaseId] = true;
        Stake storage s = stakes[a.provider];
        uint256 available = uint256(s.bondedMinor) + s.unbondingMinor;
        uint256 toLessee = a.lesseeMinor < available ? a.lesseeMinor : available;
        uint256 toInsurance = a.insuranceMinor < available - toLessee ? a.insuranceMinor : available - toLessee;
        uint256 total = toLessee + toInsurance;
        uint256 fromBonded = total < s.bondedMinor ? total : s.bondedMinor;
        s.bondedMinor -= uint128(fromBonded);
        s.unbondingMinor -= uint128(total - fromBonded);
        if (toLessee > 0) stablecoin.safeTransfer(a.lessee, toLessee);
        if (toInsurance > 0) stablecoin.safeTransfer(insuranceFund, toInsurance);
        emit Slashed(a.leaseId, a.provider, toLessee, toInsurance);
    }

    function stakeOf(address provider)
        external
        view
        returns (uint256 bondedMinor, uint256 unbondingMinor, uint64 unbondableAt)
    {
        Stake memory s = stakes[provider];
        return (s.bondedMinor, s.unbondingMinor, s.unbondableAt);
    }
}

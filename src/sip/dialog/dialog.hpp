// RFC 3261 §12 dialogs as a notifier needs them (RFC 6665 §4.1.2.2: a SUBSCRIBE that is accepted
// creates a dialog; NOTIFYs are requests within it). Only the UAS side is built: sipcred answers
// SUBSCRIBEs and sends NOTIFYs, it never starts a dialog itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sip/message.hpp"

namespace sipcred::sip {

struct Dialog {
  std::string call_id;
  std::string local_tag;   // ours: the To tag of our 2xx
  std::string remote_tag;  // the From tag of the request
  // The request's To and From values as received (RFC 3261 §12.1.1: the remote URI is the From
  // URI, the local URI the To URI); kept whole so the NOTIFY carries the same display names.
  std::string local;                   // To, without a tag
  std::string remote;                  // From, with the remote tag
  std::string remote_target;           // the Contact URI (§12.1.1)
  std::vector<std::string> route_set;  // Record-Route values in the order received
  uint32_t local_cseq = 0;
  uint32_t remote_cseq = 0;
  bool secure = false;  // TLS hop and a sips Request-URI (§12.1.1)
};

// §12.1.1: the dialog state a UAS keeps after answering `request` with a 2xx that carries
// `local_tag`. `local_cseq` starts our side's CSeq space (any value below 2**31, §8.1.1.5).
// Fails when the request cannot make a dialog: no From tag, no usable Contact (RFC 6665
// §4.1.2.2 requires exactly one), a Record-Route that is not a name-addr.
Result<Dialog> uas_dialog(const Message& request, std::string local_tag, uint32_t local_cseq,
                          bool over_tls);

// The dialog identifier (§12): Call-ID, local tag, remote tag, as one map key.
std::string dialog_key(std::string_view call_id, std::string_view local_tag,
                       std::string_view remote_tag);
// The key of the dialog a request received by the UAS belongs to (To tag = local, From tag =
// remote); nullopt for a request outside any dialog (no To tag).
std::optional<std::string> incoming_dialog_key(const Message& request);

// §12.2.1.1: a new request within the dialog (the CSeq is the next local one). `via` is the full
// Via value (with its branch), `contact` our Contact URI. Route/Request-URI follow the loose-
// routing rules, and the strict-routing ones when the first route lacks "lr".
Message in_dialog_request(Dialog& dialog, std::string_view method, std::string_view via,
                          std::string_view contact, uint32_t max_forwards = 70);

// §12.2.2: an in-dialog request whose CSeq is lower than the last one seen is out of order and
// gets 500; an equal one is a retransmission handled by the transaction layer.
bool accept_remote_cseq(Dialog& dialog, uint32_t cseq);

}  // namespace sipcred::sip

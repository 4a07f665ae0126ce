#include "sip/response.hpp"

#include <string>

#include "sip/name_addr.hpp"

namespace sipcred::sip {

Message make_response(const Message& request, int status, std::string_view reason,
                      std::string_view to_tag) {
  Message r = Message::response(status, reason.empty() ? default_reason(status) : reason);
  for (const auto& f : request.fields()) {
    switch (f.id) {
      case HeaderId::via:
      case HeaderId::from:
      case HeaderId::call_id:
      case HeaderId::cseq:
        r.add(f.id, request.value(f));
        break;
      case HeaderId::to: {
        std::string_view to = request.value(f);
        auto parsed = parse_name_addr(to);
        if (status > 100 && !to_tag.empty() && parsed && !parsed->params.has("tag")) {
          std::string tagged{to};
          tagged.append(";tag=").append(to_tag);
          r.add(HeaderId::to, tagged);
        } else {
          r.add(HeaderId::to, to);
        }
        break;
      }
      default:
        break;
    }
  }
  r.set_body({});
  return r;
}

std::string_view default_reason(int status) {
  switch (status) {
    case 100:
      return "Trying";
    case 200:
      return "OK";
    case 202:
      return "Accepted";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 407:
      return "Proxy Authentication Required";
    case 412:
      return "Conditional Request Failed";
    case 413:
      return "Request Entity Too Large";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Unsupported URI Scheme";
    case 420:
      return "Bad Extension";
    case 423:
      return "Interval Too Brief";
    case 428:
      return "Use Identity Header";
    case 436:
      return "Bad Identity-Info";
    case 437:
      return "Unsupported Certificate";
    case 438:
      return "Invalid Identity Header";
    case 481:
      return "Call/Transaction Does Not Exist";
    case 482:
      return "Loop Detected";
    case 483:
      return "Too Many Hops";
    case 489:
      return "Bad Event";
    case 500:
      return "Server Internal Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "Version Not Supported";
    case 513:
      return "Message Too Large";
    default:
      break;
  }
  if (status < 200) return "Provisional";
  if (status < 300) return "Success";
  if (status < 400) return "Redirection";
  if (status < 500) return "Client Error";
  if (status < 600) return "Server Error";
  return "Global Failure";
}

}  // namespace sipcred::sip

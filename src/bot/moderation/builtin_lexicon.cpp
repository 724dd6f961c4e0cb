#include "bot/moderation/builtin_lexicon.h"

#include <string>

namespace bot::moderation {

std::span<const BuiltinList> builtin_lists() {
    return {detail::kBuiltinLists, detail::kBuiltinListCount};
}

core::Status load_builtin_lexicon(Lexicon& lexicon) {
    for (const BuiltinList& list : builtin_lists()) {
        LG_TRY(lexicon.load_text(list.text, "builtin:" + std::string(list.name)));
    }
    return {};
}

}  // namespace bot::moderation

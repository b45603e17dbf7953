#include "CSentencePiece.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <vector>

// Exported by libsentencepiece but declared only in its private common.h.
namespace sentencepiece {
namespace logging {
void SetMinLogLevel(int v);
}  // namespace logging
}  // namespace sentencepiece

struct weft_spp {
    sentencepiece::SentencePieceProcessor processor;
};

namespace {

char *copy_c_string(const std::string &text) {
    char *copy = static_cast<char *>(std::malloc(text.size() + 1));
    if (copy == nullptr) return nullptr;
    std::memcpy(copy, text.data(), text.size());
    copy[text.size()] = '\0';
    return copy;
}

int fail(int code, const std::string &message, char **error_message) {
    if (error_message != nullptr) *error_message = copy_c_string(message);
    return code;
}

int report(const sentencepiece::util::Status &status, char **error_message) {
    if (status.ok()) return WEFT_SPM_OK;
    return fail(static_cast<int>(status.code()), status.ToString(), error_message);
}

// Every entry point that can throw runs inside this, so no C++ exception
// crosses into Swift (where it would terminate the process).
template <typename Body>
int guarded(char **error_message, Body body) {
    try {
        return body();
    } catch (const std::bad_alloc &) {
        return fail(WEFT_SPM_EXCEPTION, "out of memory", error_message);
    } catch (const std::exception &exception) {
        return fail(WEFT_SPM_EXCEPTION, std::string("C++ exception: ") + exception.what(),
                    error_message);
    } catch (...) {
        return fail(WEFT_SPM_EXCEPTION, "unknown C++ exception", error_message);
    }
}

bool loaded(const weft_spp *processor) {
    return processor != nullptr && processor->processor.status().ok();
}

int check_loaded(const weft_spp *processor, char **error_message) {
    if (processor == nullptr) return fail(WEFT_SPM_INVALID_ARGUMENT, "no processor", error_message);
    return report(processor->processor.status(), error_message);
}

bool valid_id(const weft_spp *processor, int32_t id) {
    return loaded(processor) && id >= 0 && id < processor->processor.GetPieceSize();
}

int copy_bytes(const std::string &source, char **bytes, size_t *length, char **error_message) {
    char *copy = copy_c_string(source);
    if (copy == nullptr) return fail(WEFT_SPM_EXCEPTION, "out of memory", error_message);
    *bytes = copy;
    *length = source.size();
    return WEFT_SPM_OK;
}

// Adapts the C callback to sentencepiece's pull-style iterator.
class CallbackSentenceIterator : public sentencepiece::SentenceIterator {
  public:
    CallbackSentenceIterator(weft_spm_next_sentence next, void *context)
        : next_(next), context_(context) {
        Next();
    }
    bool done() const override { return done_; }
    void Next() override {
        if (done_) return;
        const char *sentence = nullptr;
        size_t length = 0;
        int result = next_(context_, &sentence, &length);
        if (result > 0 && sentence != nullptr) {
            value_.assign(sentence, length);
        } else if (result > 0) {
            value_.clear();
        } else {
            done_ = true;
            if (result < 0) {
                status_ = sentencepiece::util::Status(
                    sentencepiece::util::StatusCode::kAborted,
                    "the sentence source reported an error");
            }
        }
    }
    const std::string &value() const override { return value_; }
    sentencepiece::util::Status status() const override { return status_; }

  private:
    weft_spm_next_sentence next_;
    void *context_;
    std::string value_;
    bool done_ = false;
    sentencepiece::util::Status status_;
};

}  // namespace

extern "C" weft_spp *weft_spp_new(void) { return new (std::nothrow) weft_spp(); }

extern "C" void weft_spp_free(weft_spp *processor) { delete processor; }

extern "C" int weft_spp_load_file(weft_spp *processor, const char *path, char **error_message) {
    return guarded(error_message, [&]() -> int {
        if (processor == nullptr || path == nullptr)
            return fail(WEFT_SPM_INVALID_ARGUMENT, "no processor or path", error_message);
        return report(processor->processor.Load(path), error_message);
    });
}

extern "C" int weft_spp_load_serialized(weft_spp *processor, const void *bytes, size_t length,
                                        char **error_message) {
    return guarded(error_message, [&]() -> int {
        if (processor == nullptr || (bytes == nullptr && length > 0))
            return fail(WEFT_SPM_INVALID_ARGUMENT, "no processor or bytes", error_message);
        absl::string_view serialized(static_cast<const char *>(bytes), length);
        return report(processor->processor.LoadFromSerializedProto(serialized), error_message);
    });
}

extern "C" int weft_spp_serialize(const weft_spp *processor, char **bytes, size_t *length,
                                  char **error_message) {
    return guarded(error_message, [&]() -> int {
        int status = check_loaded(processor, error_message);
        if (status != WEFT_SPM_OK) return status;
        return copy_bytes(processor->processor.serialized_model_proto(), bytes, length,
                          error_message);
    });
}

extern "C" int weft_spp_encode_ids(const weft_spp *processor, const char *text, size_t length,
                                   int32_t **ids, size_t *count, char **error_message) {
    return guarded(error_message, [&]() -> int {
        int status = check_loaded(processor, error_message);
        if (status != WEFT_SPM_OK) return status;
        std::vector<int> encoded;
        status = report(processor->processor.Encode(absl::string_view(text, length), &encoded),
                        error_message);
        if (status != WEFT_SPM_OK) return status;
        // malloc(0) may return NULL; one spare slot keeps the pointer valid.
        auto *output = static_cast<int32_t *>(std::malloc((encoded.size() + 1) * sizeof(int32_t)));
        if (output == nullptr) return fail(WEFT_SPM_EXCEPTION, "out of memory", error_message);
        for (size_t i = 0; i < encoded.size(); ++i) output[i] = static_cast<int32_t>(encoded[i]);
        *ids = output;
        *count = encoded.size();
        return WEFT_SPM_OK;
    });
}

extern "C" int weft_spp_encode_pieces(const weft_spp *processor, const char *text, size_t length,
                                      weft_spm_pieces *pieces, char **error_message) {
    return guarded(error_message, [&]() -> int {
        int status = check_loaded(processor, error_message);
        if (status != WEFT_SPM_OK) return status;
        std::vector<std::string> encoded;
        status = report(processor->processor.Encode(absl::string_view(text, length), &encoded),
                        error_message);
        if (status != WEFT_SPM_OK) return status;
        size_t total = 0;
        for (const auto &piece : encoded) total += piece.size();
        auto *bytes = static_cast<char *>(std::malloc(total + 1));
        auto *offsets = static_cast<size_t *>(std::malloc((encoded.size() + 1) * sizeof(size_t)));
        if (bytes == nullptr || offsets == nullptr) {
            std::free(bytes);
            std::free(offsets);
            return fail(WEFT_SPM_EXCEPTION, "out of memory", error_message);
        }
        size_t offset = 0;
        for (size_t i = 0; i < encoded.size(); ++i) {
            offsets[i] = offset;
            std::memcpy(bytes + offset, encoded[i].data(), encoded[i].size());
            offset += encoded[i].size();
        }
        offsets[encoded.size()] = offset;
        pieces->bytes = bytes;
        pieces->offsets = offsets;
        pieces->count = encoded.size();
        return WEFT_SPM_OK;
    });
}

extern "C" int weft_spp_decode_ids(const weft_spp *processor, const int32_t *ids, size_t count,
                                   char **text, size_t *length, char **error_message) {
    return guarded(error_message, [&]() -> int {
        int status = check_loaded(processor, error_message);
        if (status != WEFT_SPM_OK) return status;
        // libsentencepiece indexes its piece table without a bounds check.
        const int32_t size = processor->processor.GetPieceSize();
        std::vector<int> input(count);
        for (size_t i = 0; i < count; ++i) {
            if (ids[i] < 0 || ids[i] >= size) {
                return fail(WEFT_SPM_OUT_OF_RANGE,
                            "id " + std::to_string(ids[i]) + " at position " + std::to_string(i) +
                                " is outside 0..<" + std::to_string(size),
                            error_message);
            }
            input[i] = ids[i];
        }
        std::string decoded;
        status = report(processor->processor.Decode(input, &decoded), error_message);
        if (status != WEFT_SPM_OK) return status;
        return copy_bytes(decoded, text, length, error_message);
    });
}

extern "C" int weft_spp_decode_pieces(const weft_spp *processor, const char *const *pieces,
                                      const size_t *lengths, size_t count, char **text,
                                      size_t *length, char **error_message) {
    return guarded(error_message, [&]() -> int {
        int status = check_loaded(processor, error_message);
        if (status != WEFT_SPM_OK) return status;
        std::vector<std::string> input;
        input.reserve(count);
        for (size_t i = 0; i < count; ++i) input.emplace_back(pieces[i], lengths[i]);
        std::string decoded;
        status = report(processor->processor.Decode(input, &decoded), error_message);
        if (status != WEFT_SPM_OK) return status;
        return copy_bytes(decoded, text, length, error_message);
    });
}

extern "C" int32_t weft_spp_piece_size(const weft_spp *processor) {
    if (!loaded(processor)) return 0;
    return processor->processor.GetPieceSize();
}

extern "C" int32_t weft_spp_piece_to_id(const weft_spp *processor, const char *piece,
                                        size_t length) {
    if (!loaded(processor)) return -1;
    try {
        return processor->processor.PieceToId(absl::string_view(piece, length));
    } catch (...) {
        return processor->processor.unk_id();
    }
}

extern "C" int weft_spp_id_to_piece(const weft_spp *processor, int32_t id, const char **piece,
                                    size_t *length) {
    if (!valid_id(processor, id)) return WEFT_SPM_OUT_OF_RANGE;
    const std::string &text = processor->processor.IdToPiece(id);
    *piece = text.data();
    *length = text.size();
    return WEFT_SPM_OK;
}

extern "C" float weft_spp_score(const weft_spp *processor, int32_t id) {
    return valid_id(processor, id) ? processor->processor.GetScore(id) : 0.0f;
}

extern "C" int weft_spp_is_unknown(const weft_spp *processor, int32_t id) {
    return valid_id(processor, id) && processor->processor.IsUnknown(id);
}

extern "C" int weft_spp_is_control(const weft_spp *processor, int32_t id) {
    return valid_id(processor, id) && processor->processor.IsControl(id);
}

extern "C" int weft_spp_is_unused(const weft_spp *processor, int32_t id) {
    return valid_id(processor, id) && processor->processor.IsUnused(id);
}

extern "C" int weft_spp_is_byte(const weft_spp *processor, int32_t id) {
    return valid_id(processor, id) && processor->processor.IsByte(id);
}

extern "C" int32_t weft_spp_unk_id(const weft_spp *processor) {
    return loaded(processor) ? processor->processor.unk_id() : -1;
}

extern "C" int32_t weft_spp_bos_id(const weft_spp *processor) {
    return loaded(processor) ? processor->processor.bos_id() : -1;
}

extern "C" int32_t weft_spp_eos_id(const weft_spp *processor) {
    return loaded(processor) ? processor->processor.eos_id() : -1;
}

extern "C" int32_t weft_spp_pad_id(const weft_spp *processor) {
    return loaded(processor) ? processor->processor.pad_id() : -1;
}

extern "C" int weft_spm_train(const char *arguments, weft_spm_next_sentence next_sentence,
                              void *context, char **model_bytes, size_t *model_length,
                              char **error_message) {
    return guarded(error_message, [&]() -> int {
        if (arguments == nullptr)
            return fail(WEFT_SPM_INVALID_ARGUMENT, "no training arguments", error_message);
        std::unique_ptr<CallbackSentenceIterator> iterator;
        if (next_sentence != nullptr)
            iterator.reset(new CallbackSentenceIterator(next_sentence, context));
        if (model_bytes == nullptr) {
            return report(sentencepiece::SentencePieceTrainer::Train(arguments, iterator.get()),
                          error_message);
        }
        std::string serialized;
        int status = report(
            sentencepiece::SentencePieceTrainer::Train(arguments, iterator.get(), &serialized),
            error_message);
        if (status != WEFT_SPM_OK) return status;
        if (iterator && !iterator->status().ok()) return report(iterator->status(), error_message);
        return copy_bytes(serialized, model_bytes, model_length, error_message);
    });
}

extern "C" void weft_spm_set_min_log_level(int level) {
    sentencepiece::logging::SetMinLogLevel(level);
}

extern "C" void weft_spm_set_random_seed(uint32_t seed) {
    sentencepiece::SetRandomGeneratorSeed(seed);
}

extern "C" void weft_spm_free(void *pointer) { std::free(pointer); }

extern "C" void weft_spm_pieces_free(weft_spm_pieces *pieces) {
    if (pieces == nullptr) return;
    std::free(pieces->bytes);
    std::free(pieces->offsets);
    pieces->bytes = nullptr;
    pieces->offsets = nullptr;
    pieces->count = 0;
}

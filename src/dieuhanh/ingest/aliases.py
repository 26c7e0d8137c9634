"""What source systems call our columns and values: Vietnamese headers and labels, folded
(`core.tabular.fold`: no case, accents or extra spaces) where the validator compares them."""

from __future__ import annotations

# Column header aliases: Vietnamese exports (one-stop-shop, document management, stations).
HEADER_ALIASES: dict[str, str] = {
    "mã hồ sơ": "record_id", "số hồ sơ": "record_id", "mã văn bản": "record_id", "số ký hiệu": "record_id",
    "mã đơn vị": "unit_code", "đơn vị": "unit_code", "mã cơ quan": "unit_code", "đơn vị tiếp nhận": "unit_code",
    "mã thủ tục": "procedure_code", "mã tthc": "procedure_code", "mã thủ tục hành chính": "procedure_code",
    "kênh nộp": "channel", "hình thức nộp": "channel", "kênh": "channel",
    "ngày tiếp nhận": "received_at", "thời điểm tiếp nhận": "received_at",
    "ngày hẹn trả": "due_at", "hạn xử lý": "due_at", "ngày hẹn trả kết quả": "due_at",
    "ngày hoàn thành": "finished_at", "ngày trả kết quả": "finished_at", "ngày có kết quả": "finished_at",
    "trạng thái": "status", "tình trạng": "status",
    "có phí": "fee_required", "có phí, lệ phí": "fee_required", "phải nộp phí": "fee_required",
    "thanh toán trực tuyến": "paid_online", "đã thanh toán trực tuyến": "paid_online",
    "số hóa": "digitized", "đã số hóa": "digitized", "số hoá": "digitized",
    "kết quả điện tử": "e_result", "trả kết quả điện tử": "e_result",
    "đánh giá": "rating", "mức độ hài lòng": "rating",
    "ngày cập nhật": "updated_at", "cập nhật lúc": "updated_at",
    "tên thủ tục": "name", "mức độ": "online_level", "mức độ dvc": "online_level", "mức độ trực tuyến": "online_level",
    "chiều": "direction", "loại văn bản": "direction", "văn bản đi/đến": "direction",
    "ngày gửi": "sent_at", "ngày ban hành": "sent_at", "ngày đi": "sent_at",
    "điện tử": "electronic", "gửi điện tử": "electronic",
    "ký số": "digitally_signed", "có chữ ký số": "digitally_signed",
    "liên thông": "interconnected", "qua trục liên thông": "interconnected",
    "mã trạm": "station_code", "trạm": "station_code", "thông số": "parameter", "chỉ tiêu": "parameter",
    "thời điểm quan trắc": "observed_at", "thời gian": "observed_at", "giá trị": "value", "đơn vị đo": "uom",
    "mã chỉ tiêu": "data_element", "mã dữ liệu": "data_element", "kỳ báo cáo": "period", "kỳ": "period",
}  # fmt: skip

VALUE_ALIASES: dict[str, dict[str, str]] = {
    "channel": {"truc tuyen": "online", "online": "online", "dvc truc tuyen": "online", "truc tiep": "direct",
                "direct": "direct", "buu chinh": "postal", "buu chinh cong ich": "postal", "postal": "postal"},
    "status": {"dang xu ly": "processing", "processing": "processing", "da giai quyet": "finished",
               "hoan thanh": "finished", "da xu ly xong": "finished", "da tra ket qua": "finished",
               "finished": "finished", "tra lai": "returned", "tu choi": "returned", "returned": "returned",
               "rut ho so": "withdrawn", "cong dan rut": "withdrawn", "withdrawn": "withdrawn"},
    "rating": {"hai long": "satisfied", "satisfied": "satisfied", "binh thuong": "neutral", "neutral": "neutral",
               "khong hai long": "unsatisfied", "unsatisfied": "unsatisfied"},
    "online_level": {"toan trinh": "full", "full": "full", "mot phan": "partial", "partial": "partial",
                     "khong": "none", "none": "none", "cung cap thong tin": "none"},
    "direction": {"di": "outgoing", "van ban di": "outgoing", "outgoing": "outgoing", "den": "incoming",
                  "van ban den": "incoming", "incoming": "incoming"},
}  # fmt: skip

TRUE_WORDS = {"true", "1", "co", "yes", "x", "dung", "t", "y"}
FALSE_WORDS = {"false", "0", "khong", "no", "sai", "f", "n"}
PARAMETER_ALIASES = {
    "pm2.5": "pm25",
    "pm2_5": "pm25",
    "pm 2.5": "pm25",
    "bui pm2.5": "pm25",
    "bui pm10": "pm10",
}

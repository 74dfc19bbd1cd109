package adf

import "sync"

// emojiByName maps common emoji shortcodes (without colons) to their Unicode
// text; built on first use, not at package init. Only these names become emoji nodes; any other :word: stays text.
var emojiByName = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"smile": "😄", "smiley": "😃", "grinning": "😀", "grin": "😁", "laughing": "😆", "joy": "😂",
		"rofl": "🤣", "wink": "😉", "blush": "😊", "slightly_smiling_face": "🙂", "upside_down_face": "🙃",
		"innocent": "😇", "heart_eyes": "😍", "kissing_heart": "😘", "yum": "😋", "stuck_out_tongue": "😛",
		"sunglasses": "😎", "nerd_face": "🤓", "thinking": "🤔", "thinking_face": "🤔", "neutral_face": "😐",
		"expressionless": "😑", "no_mouth": "😶", "smirk": "😏", "unamused": "😒", "roll_eyes": "🙄",
		"grimacing": "😬", "relieved": "😌", "pensive": "😔", "sleepy": "😪", "sleeping": "😴",
		"mask": "😷", "dizzy_face": "😵", "exploding_head": "🤯", "cowboy_hat_face": "🤠", "partying_face": "🥳",
		"confused": "😕", "worried": "😟", "slightly_frowning_face": "🙁", "open_mouth": "😮", "hushed": "😯",
		"astonished": "😲", "flushed": "😳", "pleading_face": "🥺", "cry": "😢", "sob": "😭", "scream": "😱",
		"confounded": "😖", "persevere": "😣", "disappointed": "😞", "sweat": "😓", "weary": "😩",
		"tired_face": "😫", "yawning_face": "🥱", "triumph": "😤", "rage": "😡", "angry": "😠",
		"skull": "💀", "poop": "💩", "hankey": "💩", "clown_face": "🤡", "ghost": "👻", "alien": "👽",
		"robot": "🤖", "see_no_evil": "🙈", "hear_no_evil": "🙉", "speak_no_evil": "🙊",
		"wave": "👋", "ok_hand": "👌", "v": "✌️", "crossed_fingers": "🤞", "point_up": "☝️",
		"point_right": "👉", "point_left": "👈", "point_down": "👇", "+1": "👍", "thumbsup": "👍",
		"-1": "👎", "thumbsdown": "👎", "fist": "✊", "punch": "👊", "clap": "👏", "raised_hands": "🙌",
		"open_hands": "👐", "handshake": "🤝", "pray": "🙏", "muscle": "💪", "eyes": "👀", "brain": "🧠",
		"heart": "❤️", "orange_heart": "🧡", "yellow_heart": "💛", "green_heart": "💚", "blue_heart": "💙",
		"purple_heart": "💜", "black_heart": "🖤", "broken_heart": "💔", "sparkling_heart": "💖",
		"100": "💯", "boom": "💥", "collision": "💥", "fire": "🔥", "sparkles": "✨", "star": "⭐",
		"star2": "🌟", "zap": "⚡", "tada": "🎉", "confetti_ball": "🎊", "balloon": "🎈", "gift": "🎁",
		"trophy": "🏆", "medal_sports": "🏅", "rocket": "🚀", "airplane": "✈️", "car": "🚗",
		"bulb": "💡", "mag": "🔍", "lock": "🔒", "unlock": "🔓", "key": "🔑", "hammer": "🔨",
		"wrench": "🔧", "gear": "⚙️", "link": "🔗", "paperclip": "📎", "pushpin": "📌", "memo": "📝",
		"pencil": "📝", "pencil2": "✏️", "book": "📖", "books": "📚", "calendar": "📆", "date": "📅",
		"clipboard": "📋", "chart_with_upwards_trend": "📈", "chart_with_downwards_trend": "📉",
		"bar_chart": "📊", "package": "📦", "email": "📧", "envelope": "✉️", "bell": "🔔",
		"no_bell": "🔕", "loudspeaker": "📢", "mega": "📣", "speech_balloon": "💬", "thought_balloon": "💭",
		"hourglass": "⌛", "stopwatch": "⏱️", "alarm_clock": "⏰", "watch": "⌚", "computer": "💻",
		"desktop_computer": "🖥️", "keyboard": "⌨️", "iphone": "📱", "phone": "☎️", "bug": "🐛",
		"beetle": "🪲", "ant": "🐜", "bee": "🐝", "snail": "🐌", "turtle": "🐢", "snake": "🐍",
		"dog": "🐶", "cat": "🐱", "mouse": "🐭", "fox_face": "🦊", "bear": "🐻", "panda_face": "🐼",
		"unicorn": "🦄", "penguin": "🐧", "bird": "🐦", "whale": "🐳", "octopus": "🐙", "sunny": "☀️",
		"cloud": "☁️", "umbrella": "☔", "snowflake": "❄️", "rainbow": "🌈", "ocean": "🌊",
		"earth_americas": "🌎", "globe_with_meridians": "🌐", "coffee": "☕", "tea": "🍵", "beer": "🍺",
		"beers": "🍻", "pizza": "🍕", "hamburger": "🍔", "cake": "🍰", "birthday": "🎂", "apple": "🍎",
		"check": "✔️", "heavy_check_mark": "✔️", "white_check_mark": "✅", "ballot_box_with_check": "☑️",
		"x": "❌", "negative_squared_cross_mark": "❎", "heavy_multiplication_x": "✖️", "warning": "⚠️",
		"no_entry": "⛔", "no_entry_sign": "🚫", "stop_sign": "🛑", "construction": "🚧", "question": "❓",
		"grey_question": "❔", "exclamation": "❗", "grey_exclamation": "❕", "bangbang": "‼️",
		"information_source": "ℹ️", "heavy_plus_sign": "➕", "heavy_minus_sign": "➖", "arrow_right": "➡️",
		"arrow_left": "⬅️", "arrow_up": "⬆️", "arrow_down": "⬇️", "arrows_counterclockwise": "🔄",
		"recycle": "♻️", "red_circle": "🔴", "large_blue_circle": "🔵", "green_circle": "🟢",
		"yellow_circle": "🟡", "white_circle": "⚪", "black_circle": "⚫", "small_red_triangle": "🔺",
		"checkered_flag": "🏁", "triangular_flag_on_post": "🚩", "dart": "🎯", "game_die": "🎲",
		"musical_note": "🎵", "art": "🎨", "camera": "📷", "movie_camera": "🎥", "money_with_wings": "💸",
		"moneybag": "💰", "dollar": "💵", "gem": "💎", "shield": "🛡️", "crown": "👑", "zzz": "💤",
		"sweat_smile": "😅", "sweat_drops": "💦", "star_struck": "🤩", "hugs": "🤗", "shushing_face": "🤫",
		"facepalm": "🤦", "shrug": "🤷", "man_shrugging": "🤷‍♂️", "woman_shrugging": "🤷‍♀️",
		"raising_hand": "🙋", "ok_woman": "🙆", "no_good": "🙅", "bow": "🙇", "runner": "🏃",
		"construction_worker": "👷", "detective": "🕵️", "ninja": "🥷", "mage": "🧙", "zombie": "🧟",
		"hatching_chick": "🐣", "seedling": "🌱", "evergreen_tree": "🌲", "four_leaf_clover": "🍀",
		"cactus": "🌵", "rose": "🌹", "sunflower": "🌻", "tulip": "🌷", "hibiscus": "🌺",
		"new": "🆕", "free": "🆓", "up": "🆙", "cool": "🆒", "ok": "🆗", "sos": "🆘", "soon": "🔜",
		"top": "🔝", "back": "🔙", "end": "🔚", "on": "🔛", "abc": "🔤", "1234": "🔢", "hash": "#️⃣",
	}
})

// emojiByText maps an emoji's Unicode text back to a shortcode, used when an
// ADF emoji carries an unknown shortName but a known text.
var emojiByText = sync.OnceValue(func() map[string]string {
	m := make(map[string]string, len(emojiByName()))
	for name, t := range emojiByName() {
		if old, ok := m[t]; !ok || len(name) < len(old) || (len(name) == len(old) && name < old) {
			m[t] = name
		}
	}
	return m
})

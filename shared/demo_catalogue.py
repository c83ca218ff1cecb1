"""A believable Singapore minimart catalogue for the demo, the tests and the benchmarks.

Pure and deterministic: the same ``seed`` and size always give the same categories, products,
barcodes and ids, so a bench run or a failing test can be reproduced exactly. Prices are
GST-inclusive with the endings shoppers expect (.90, .50, .95); barcodes are EAN-13 under the
GS1 Singapore prefix 888. A few hand-written "hero" products come first so that a small demo
still shows Milo, Gardenia, weighed bananas, accented names and every tax code.
"""

from __future__ import annotations

import random
import uuid
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, partial
from itertools import accumulate
from typing import Literal

from shared.protocol import (
    BarcodeV1,
    CategoryMultiplierV1,
    CategoryV1,
    LoyaltySchemeV1,
    MasterChange,
    MasterEntity,
    OutletV1,
    ProductV1,
    StaffV1,
    TierV1,
    VoucherBatchV1,
)
from shared.scale_barcode import ean13_check_digit
from shared.wire import WireModel

MIN_PRICE_CENTS = 50
MAX_PRICE_CENTS = 8990
SECOND_BARCODE_SHARE = 0.10
WEIGHED_SHARE = 0.02
GS1_SINGAPORE = "888"

Item = tuple[str, tuple[tuple[str, int], ...]]  # name, ((size, base price in cents), ...)
Pack = tuple[str, float]  # suffix, price factor

_PACKS: tuple[Pack, ...] = (
    ("", 1.0),
    (" Twin Pack", 1.9),
    (" x3", 2.8),
    (" Value Pack", 2.5),
    (" Bundle of 4", 3.6),
)
_DRINK_PACKS: tuple[Pack, ...] = (
    ("", 1.0),
    (" x4", 3.7),
    (" x6", 5.2),
    (" x12", 9.8),
    (" x24", 18.5),
)
_SMALL_PACKS: tuple[Pack, ...] = (("", 1.0), (" Twin Pack", 1.9), (" Value Pack", 2.4))


@dataclass(frozen=True)
class _Aisle:
    """Brands, variants, sized items and packs that combine plausibly with one another."""

    brands: tuple[str, ...]
    variants: tuple[str, ...]
    items: tuple[Item, ...]
    packs: tuple[Pack, ...] = _PACKS

    @property
    def sizes(self) -> tuple[tuple[str, str, int], ...]:
        return tuple((item, size, cents) for item, sizes in self.items for size, cents in sizes)

    @property
    def space(self) -> int:
        return len(self.brands) * len(self.variants) * len(self.sizes) * len(self.packs)


@dataclass(frozen=True)
class _Range:
    name: str
    sku_prefix: str
    aisles: tuple[_Aisle, ...]

    @property
    def space(self) -> int:
        return sum(a.space for a in self.aisles)


# Every category's share of a generated catalogue is proportional to its space, and 100,000
# products use about half of the total, so names are unique by construction.
# fmt: off
_RANGES: tuple[_Range, ...] = (
    _Range("Groceries", "GRO", (
        _Aisle(
            ("Ayam Brand", "Hosen", "Yeo's", "Campbell's", "Heinz", "FairPrice", "Narcissus",
             "Golden Bridge", "Del Monte", "Glory", "Tulip", "Maling", "Smiling Fish", "Gulong"),
            ("", "Spicy", "Less Salt", "Premium", "Original", "Chilli", "Hot & Spicy",
             "Reduced Fat", "Light", "Curry", "Black Pepper", "Family"),
            (("Sardines in Tomato Sauce", (("155g", 250), ("425g", 520))),
             ("Tuna Chunks", (("150g", 290), ("185g", 340))),
             ("Baked Beans", (("300g", 180), ("425g", 240))),
             ("Curry Chicken", (("280g", 420), ("400g", 560))),
             ("Luncheon Meat", (("200g", 290), ("340g", 450))),
             ("Mushroom Soup", (("300g", 220),)),
             ("Button Mushrooms", (("425g", 260),)),
             ("Mackerel in Tomato Sauce", (("155g", 220), ("425g", 450))),
             ("Braised Peanuts", (("170g", 150),)),
             ("Stewed Pork Chops", (("256g", 450),))),
        ),
        _Aisle(
            ("Lee Kum Kee", "Kikkoman", "Woh Hup", "Kimball", "Tai Hua", "Haday", "Maggi",
             "Lingham's", "Healthy Boy", "Amoy", "Pearl River Bridge", "Chng Kee's", "Yeo's"),
            ("", "Premium", "Less Sodium", "Organic", "Superior", "Spicy", "Gold Label",
             "Original", "Naturally Brewed", "Mushroom", "Garlic", "Sweet"),
            (("Oyster Sauce", (("255g", 350), ("510g", 590))),
             ("Light Soy Sauce", (("320ml", 260), ("640ml", 450))),
             ("Dark Soy Sauce", (("320ml", 280), ("640ml", 470))),
             ("Chilli Sauce", (("320g", 250), ("800g", 490))),
             ("Tomato Ketchup", (("325g", 220), ("1kg", 490))),
             ("Sesame Oil", (("150ml", 350), ("320ml", 650))),
             ("Fish Sauce", (("300ml", 250), ("700ml", 450))),
             ("Hoisin Sauce", (("240g", 320),)),
             ("Black Vinegar", (("620ml", 390),))),
        ),
        _Aisle(
            ("Prima Taste", "Maggi", "Nissin", "Myojo", "Indomie", "Mama", "Nongshim", "Koka",
             "A1", "Tean's Gourmet", "Baba's", "Knorr"),
            ("", "Curry", "Laksa", "Chicken", "Tom Yum", "Mee Goreng", "Spicy", "Vegetarian",
             "Prawn", "Mushroom", "Rendang", "Sambal"),
            (("Instant Noodles", (("5x79g", 450), ("10x79g", 850))),
             ("La Mian", (("185g", 795), ("2x185g", 1490))),
             ("Cup Noodles", (("75g", 150), ("105g", 220))),
             ("Rice Vermicelli", (("400g", 195),)),
             ("Egg Noodles", (("375g", 250),)),
             ("Cooking Paste", (("200g", 390), ("1kg", 1490))),
             ("Soup Base", (("50g", 290),))),
        ),
        _Aisle(
            ("Royal Umbrella", "Golden Phoenix", "SongHe", "FairPrice", "Quaker", "Prima",
             "Bake King", "Naturel", "Knife", "Golden Bridge", "Red Man", "Double Swallow"),
            ("", "Organic", "Premium", "Wholegrain", "Brown", "Fragrant", "Value", "Thai",
             "Japanese", "Low GI", "Superior", "Classic"),
            (("Jasmine Rice", (("2kg", 790), ("5kg", 1590))),
             ("Long Grain Rice", (("5kg", 1350), ("10kg", 2690))),
             ("Rolled Oats", (("500g", 350), ("1kg", 620))),
             ("Plain Flour", (("1kg", 250),)),
             ("Cooking Oil", (("1L", 450), ("2L", 850))),
             ("Sugar", (("1kg", 195), ("2kg", 350))),
             ("Glutinous Rice", (("1kg", 390),))),
        ),
        _Aisle(
            ("Gardenia", "Sunshine", "Top One", "Bonjour", "Skippy", "Lady's Choice", "Glory",
             "Nutella", "Kraft", "Daily Bread", "FairPrice", "Farmland"),
            ("", "Enriched", "Wholemeal", "Low GI", "Reduced Sugar", "Crunchy", "Original",
             "Pandan", "Gula Melaka", "Honey", "Multigrain", "Raisin"),
            (("White Bread", (("400g", 220), ("600g", 295))),
             ("Sandwich Loaf", (("600g", 320),)),
             ("Kaya Spread", (("250g", 395), ("400g", 560))),
             ("Peanut Butter", (("340g", 495), ("510g", 695))),
             ("Chocolate Spread", (("350g", 650),)),
             ("Fruit Jam", (("450g", 450),)),
             ("Cream Rolls", (("8s", 250),)),
             ("Buns", (("6s", 220),))),
        ),
    )),
    _Range("Beverages", "BEV", (
        _Aisle(
            ("Milo", "Nescafé", "Ovaltine", "Horlicks", "Old Town", "Owl", "Ah Huat",
             "Gold Kili", "Super", "Boh", "Lipton", "Café 21", "Indocafe", "Aik Cheong"),
            ("", "3-in-1", "2-in-1", "Less Sugar", "Gao", "Original", "Classic", "Hazelnut",
             "Siew Dai", "Kosong", "Extra Rich", "Mocha"),
            (("Sachets", (("18x33g", 895), ("30x33g", 1390))),
             ("White Coffee", (("15x38g", 795),)),
             ("Kopi-O", (("20x10g", 495),)),
             ("Teh Tarik", (("15x40g", 750),)),
             ("Instant Coffee", (("100g", 895), ("200g", 1690))),
             ("Malt Drink Powder", (("400g", 795), ("1kg", 1595))),
             ("Tea Bags", (("25s", 295), ("100s", 895))),
             ("Ground Coffee", (("250g", 790),))),
        ),
        _Aisle(
            ("Yeo's", "F&N", "Pokka", "Coca-Cola", "100PLUS", "Pepsi", "Heaven & Earth",
             "Wang Lao Ji", "Ice Mountain", "Seasons", "Vitasoy", "Marigold", "Ribena",
             "Sunkist"),
            ("", "Less Sugar", "No Sugar", "Original", "Honey", "Lemon", "Peach", "Lychee",
             "Jasmine", "Winter Melon", "Sparkling", "Zero"),
            (("Chrysanthemum Tea", (("250ml", 95), ("1.5L", 245))),
             ("Green Tea", (("500ml", 150), ("1.5L", 260))),
             ("Ice Lemon Tea", (("300ml", 120), ("1.5L", 220))),
             ("Soya Bean Drink", (("250ml", 95), ("1L", 270))),
             ("Isotonic Drink", (("500ml", 180), ("1.5L", 330))),
             ("Soft Drink", (("320ml", 105), ("1.5L", 295))),
             ("Barley Drink", (("300ml", 120),)),
             ("Grass Jelly Drink", (("300ml", 120),)),
             ("Mineral Water", (("600ml", 95), ("1.5L", 150))),
             ("Herbal Tea", (("310ml", 130),)),
             ("Orange Juice", (("1L", 395),)),
             ("Apple Juice", (("1L", 395),))),
            _DRINK_PACKS,
        ),
        _Aisle(
            ("Marigold", "Magnolia", "Meiji", "Dutch Lady", "Farmhouse", "Vitagen", "Yakult",
             "Nestlé", "Greenfields", "Anchor", "Emborg", "Bliss"),
            ("", "Low Fat", "Full Cream", "Chocolate", "Strawberry", "Lactose Free",
             "High Calcium", "Plain", "Skimmed", "Banana", "Less Sugar", "Original"),
            (("Fresh Milk", (("1L", 375), ("2L", 650))),
             ("UHT Milk", (("200ml", 95), ("1L", 290))),
             ("Yoghurt", (("130g", 150), ("500g", 450))),
             ("Cultured Milk", (("5x100ml", 325),)),
             ("Evaporated Milk", (("390g", 220),)),
             ("Condensed Milk", (("390g", 250),)),
             ("Butter", (("227g", 595),)),
             ("Cheese Slices", (("12s", 450), ("24s", 790)))),
        ),
    )),
    _Range("Household", "HHD", (
        _Aisle(
            ("Dynamo", "Breeze", "Attack", "Softlan", "Downy", "Comfort", "Top", "Kao",
             "Dettol", "Clorox", "Harpic", "Mr Muscle", "Cif", "Magiclean"),
            ("", "Lemon", "Lavender", "Anti-Bacterial", "Power", "Sensitive", "Concentrated",
             "Refill", "Colour Care", "Floral", "Fresh", "Ultra"),
            (("Laundry Gel", (("1.8kg", 1190), ("2.7kg", 1790))),
             ("Laundry Powder", (("1.6kg", 890), ("3.2kg", 1590))),
             ("Fabric Softener", (("1.8L", 790), ("3L", 1190))),
             ("Floor Cleaner", (("1L", 450), ("2L", 790))),
             ("Toilet Cleaner", (("500ml", 395),)),
             ("Bleach", (("1L", 290), ("2L", 490))),
             ("Disinfectant Spray", (("450ml", 890),)),
             ("Glass Cleaner", (("500ml", 450),)),
             ("Dishwashing Liquid", (("400ml", 230), ("900ml", 420)))),
        ),
        _Aisle(
            ("Kleenex", "Scott", "Beautex", "Premier", "Cutie Compact", "Tempo", "Glad",
             "Ziploc", "FairPrice", "Diamond", "Scotch-Brite", "Paseo"),
            ("", "Ultra Soft", "Compact", "Extra Strong", "Scented", "Unscented", "Eco",
             "Jumbo", "3-Ply", "Recycled", "Classic", "Mini"),
            (("Toilet Rolls", (("10x200s", 890), ("20x200s", 1590))),
             ("Facial Tissue", (("4x100s", 520), ("5x150s", 690))),
             ("Kitchen Towels", (("2 rolls", 395), ("6 rolls", 990))),
             ("Garbage Bags", (("M 30s", 350), ("L 20s", 420))),
             ("Cling Wrap", (("30m", 350),)),
             ("Freezer Bags", (("M 20s", 450),)),
             ("Aluminium Foil", (("7.5m", 350),)),
             ("Sponge Scourers", (("3s", 250),)),
             ("Pocket Tissue", (("10x10s", 290),))),
        ),
        _Aisle(
            ("Baygon", "Ridsect", "Shieldtox", "Ambi Pur", "Glade", "Febreze", "Mortein",
             "Raid", "Thermacell", "Off!"),
            ("", "Lavender", "Citrus", "Odourless", "Fresh Linen", "Ocean", "Twin Action",
             "Max", "Natural", "Eucalyptus", "Lemongrass", "Kids"),
            (("Insect Spray", (("600ml", 790),)),
             ("Mosquito Coils", (("10s", 395),)),
             ("Air Freshener", (("300ml", 595),)),
             ("Car Freshener", (("1s", 690),)),
             ("Mosquito Repellent", (("100ml", 890),)),
             ("Cockroach Bait", (("6s", 790),))),
        ),
    )),
    _Range("Personal Care", "PCR", (
        _Aisle(
            ("Colgate", "Darlie", "Sensodyne", "Oral-B", "Listerine", "Systema",
             "Pearlie White", "Aquafresh", "Lion", "Signal"),
            ("", "Sensitive", "Whitening", "Fresh Mint", "Herbal", "Kids", "Charcoal", "Total",
             "Cool Mint", "Gum Care", "Enamel", "Extra Soft"),
            (("Toothpaste", (("150g", 495), ("225g", 690))),
             ("Toothbrush", (("1s", 350), ("3s", 790))),
             ("Mouthwash", (("250ml", 595), ("750ml", 1290))),
             ("Dental Floss", (("50m", 450),)),
             ("Interdental Brushes", (("10s", 690),))),
        ),
        _Aisle(
            ("Dove", "Lux", "Lifebuoy", "Palmolive", "Head & Shoulders", "Pantene", "Rejoice",
             "Sunsilk", "Clear", "Shokubutsu", "Johnson's", "Protex", "Follow Me", "Silkpro"),
            ("", "Moisturising", "Anti-Dandruff", "Men", "Fresh", "Smooth & Silky",
             "Anti-Bacterial", "Sensitive", "Aloe Vera", "Milk", "Green Tea", "Rose"),
            (("Shower Foam", (("500ml", 690), ("1L", 1190))),
             ("Body Wash", (("400ml", 595), ("1L", 1250))),
             ("Bar Soap", (("3x90g", 395),)),
             ("Shampoo", (("330ml", 795), ("700ml", 1390))),
             ("Conditioner", (("330ml", 795),)),
             ("Hand Wash", (("250ml", 395), ("500ml", 595))),
             ("Hair Mask", (("200ml", 990),))),
        ),
        _Aisle(
            ("Nivea", "Vaseline", "Biore", "Cetaphil", "Garnier", "Hada Labo", "Gillette",
             "Kotex", "Laurier", "Sofy", "Whisper", "Rexona", "Pigeon", "Mentholatum"),
            ("", "Men", "Sensitive", "Moisturising", "Oil Control", "Day", "Night",
             "Extra Care", "Ultra Thin", "Fragrance Free", "Cooling", "Brightening"),
            (("Body Lotion", (("200ml", 895), ("400ml", 1490))),
             ("Facial Wash", (("100g", 895),)),
             ("Deodorant Roll-On", (("50ml", 595),)),
             ("Lip Balm", (("4.8g", 450),)),
             ("Sunscreen SPF50", (("50ml", 1990),)),
             ("Sanitary Pads", (("16s", 495),)),
             ("Razor Blades", (("4s", 1890),)),
             ("Cotton Buds", (("200s", 250),)),
             ("Baby Wipes", (("80s", 395),))),
        ),
    )),
    _Range("Stationery", "STN", (
        _Aisle(
            ("Faber-Castell", "Staedtler", "Pilot", "Uni", "Zebra", "Stabilo", "Pentel", "Bic",
             "Maped", "Deli", "Popular", "Campap", "3M", "Post-it"),
            ("", "Black", "Blue", "Red", "Assorted", "Pastel", "Neon", "Eco", "Classic",
             "Mini", "Jumbo", "Kids"),
            (("2B Pencils", (("12s", 450), ("3s", 150))),
             ("Ballpoint Pens", (("0.5mm 3s", 295), ("0.7mm 10s", 690))),
             ("Gel Pens", (("0.5mm 3s", 495),)),
             ("Highlighters", (("4s", 590),)),
             ("Correction Tape", (("5mm x 6m", 250),)),
             ("Erasers", (("2s", 120),)),
             ("Exercise Books", (("80 pages 5s", 395),)),
             ("A4 Paper", (("70gsm 500s", 650), ("80gsm 500s", 790))),
             ("Sticky Notes", (("76x76mm 100s", 350),)),
             ("Glue Stick", (("21g", 250),)),
             ("Scissors", (("17cm", 390),)),
             ("Ruler", (("30cm", 120),)),
             ("Red Packets", (("20s", 250),)),
             ("Envelopes", (("C5 25s", 395),)),
             ("Stapler", (("No.10", 590),))),
            (("", 1.0), (" Value Pack", 2.4), (" Class Set", 4.0), (" Twin Pack", 1.9)),
        ),
    )),
    _Range("Snacks", "SNK", (
        _Aisle(
            ("Lay's", "Pringles", "Calbee", "Jack 'n Jill", "Mister Potato", "Twisties",
             "Doritos", "Tao Kae Noi", "Oishi", "Kettle", "Ruffles", "Cheetos"),
            ("", "Jalapeño", "Sour Cream & Onion", "Seaweed", "Salted Egg", "Barbecue",
             "Cheese", "Original", "Hot & Spicy", "Chicken", "Truffle", "Sea Salt"),
            (("Chips", (("60g", 150), ("150g", 350))),
             ("Potato Crisps", (("110g", 295), ("165g", 395))),
             ("Tortilla Chips", (("200g", 395),)),
             ("Crispy Seaweed", (("36g", 295),)),
             ("Prawn Crackers", (("100g", 250),)),
             ("Corn Snacks", (("65g", 150),))),
        ),
        _Aisle(
            ("Julie's", "Hup Seng", "Khong Guan", "Jacob's", "Oreo", "Ritz", "Tiger", "Danisa",
             "Kjeldsens", "Meiji", "Glico", "Lotte", "Hello Panda"),
            ("", "Chocolate", "Strawberry", "Cheese", "Peanut Butter", "Vanilla", "Lemon",
             "Original", "Butter", "Coconut", "Durian", "Matcha"),
            (("Cream Crackers", (("428g", 395),)),
             ("Sandwich Cookies", (("137g", 195), ("274g", 345))),
             ("Wafers", (("41.5g", 120), ("12x41.5g", 990))),
             ("Biscuit Sticks", (("45g", 195),)),
             ("Butter Cookies", (("454g", 1290),)),
             ("Digestive Biscuits", (("400g", 395),)),
             ("Marie Biscuits", (("300g", 250),)),
             ("Love Letters", (("250g", 890),))),
        ),
        _Aisle(
            ("Kit Kat", "Cadbury", "Van Houten", "Ferrero Rocher", "M&M's", "Snickers",
             "Toblerone", "Hershey's", "Kinder", "Haribo", "Mentos", "Hacks", "Lindt"),
            ("", "Milk", "Dark", "Hazelnut", "Almond", "Mint", "Caramel", "White", "Fruit",
             "Sour", "Crispy", "Orange"),
            (("Chocolate Bar", (("100g", 450), ("165g", 650))),
             ("Chocolate Box", (("200g", 1290),)),
             ("Bites", (("150g", 690),)),
             ("Candy", (("100g", 250),)),
             ("Gummies", (("80g", 250),))),
        ),
        _Aisle(
            ("Tai Sun", "Pagoda", "Camel", "Tong Garden", "Mamee", "Bee Cheng Hiang",
             "Old Seng Choong", "Ghee Hiang", "Thye Moh Chan", "Kim Choo"),
            ("", "Salted", "Honey Roasted", "Spicy", "Original", "Chilli", "Garlic", "Pandan",
             "Black Pepper", "Salted Egg", "Lemongrass", "Wasabi"),
            (("Mixed Nuts", (("150g", 495),)),
             ("Cashew Nuts", (("150g", 595), ("400g", 1390))),
             ("Broad Beans", (("80g", 195),)),
             ("Peanuts", (("150g", 250),)),
             ("Monster Snack", (("8x25g", 295),)),
             ("Pineapple Tarts", (("400g", 1990),)),
             ("Kueh Bahulu", (("200g", 495),)),
             ("Tau Sar Piah", (("5s", 790),)),
             ("Bak Kwa", (("300g", 2490),))),
        ),
    )),
    _Range("Frozen", "FRZ", (
        _Aisle(
            ("CP", "Kong Guan", "Fragrance", "Tiger", "Hinode", "Daily Fresh", "Figo",
             "Kee Song", "Sadia", "Bibigo", "Chef's Table", "Ayamas", "Tyson", "Pao Pao"),
            ("", "Original", "Spicy", "Crispy", "Black Pepper", "Teriyaki", "Garlic", "Cheese",
             "Honey", "Curry", "Mala", "Salted Egg"),
            (("Chicken Karaage", (("500g", 790), ("1kg", 1390))),
             ("Chicken Nuggets", (("400g", 650), ("1kg", 1290))),
             ("Fish Balls", (("500g", 490),)),
             ("Dumplings", (("20s", 795), ("40s", 1450))),
             ("Curry Puffs", (("6s", 650),)),
             ("Spring Rolls", (("20s", 595),)),
             ("Siew Mai", (("12s", 590),)),
             ("Char Siew Pau", (("6s", 550),)),
             ("French Fries", (("1kg", 490),)),
             ("Chicken Wings", (("1kg", 990),)),
             ("Sausages", (("500g", 595),))),
        ),
        _Aisle(
            ("Häagen-Dazs", "Magnolia", "Walls", "Ben & Jerry's", "Lotte", "Meiji", "King's",
             "Udders", "Marigold", "Daily Fresh", "Nestlé", "Inside Scoop"),
            ("", "Vanilla", "Chocolate", "Crème", "Mango", "Durian", "Strawberry", "Matcha",
             "Cookies & Cream", "Salted Caramel", "Coconut", "Red Bean"),
            (("Ice Cream Tub", (("473ml", 1490), ("1.5L", 990))),
             ("Ice Cream Sticks", (("4x60ml", 690),)),
             ("Mochi Ice Cream", (("6x30g", 595),)),
             ("Brûlée Cups", (("2x100g", 695),)),
             ("Ice Cream Cones", (("4x110ml", 750),)),
             ("Sorbet", (("500ml", 890),))),
        ),
    )),
    _Range("Fresh Produce", "FRS", (
        _Aisle(
            ("Pasar", "Seng Choon", "Chew's", "Dole", "Sunkist", "Zespri", "Del Monte",
             "FairPrice", "Hydro Farm", "Kok Fah", "Sky Greens", "Lim Kee", "Unicurd"),
            ("", "Organic", "Premium", "Local", "Hydroponic", "Baby", "Jumbo", "Kampung",
             "Omega-3", "Value", "Select", "Farm Fresh"),
            (("Fresh Eggs", (("10s", 345), ("30s", 895))),
             ("Chye Sim", (("300g", 180),)),
             ("Kai Lan", (("300g", 220),)),
             ("Bak Choy", (("300g", 180),)),
             ("Spinach", (("250g", 250),)),
             ("Lettuce", (("150g", 290),)),
             ("Cherry Tomatoes", (("250g", 295),)),
             ("Carrots", (("1kg", 230),)),
             ("Potatoes", (("1kg", 250),)),
             ("Red Onions", (("500g", 195),)),
             ("Kiwifruit", (("6s", 650),)),
             ("Navel Oranges", (("4s", 550),)),
             ("Tofu", (("300g", 140),)),
             ("Bean Sprouts", (("200g", 90),))),
            _SMALL_PACKS,
        ),
    )),
)
# fmt: on

# Weighed goods: priced per kg, the scale sends the weight.
# fmt: off
_PRODUCE: tuple[tuple[str, int], ...] = (
    ("Cavendish Bananas", 290), ("Fuji Apples", 590), ("Gala Apples", 550), ("Pears", 490),
    ("Oranges", 450), ("Mandarin Oranges", 520), ("Mangoes", 690), ("Papaya", 390),
    ("Watermelon", 190), ("Honeydew", 290), ("Grapes", 890), ("Dragon Fruit", 590),
    ("Durian", 2890), ("Longans", 790), ("Rambutans", 690), ("Mangosteens", 990),
    ("Guava", 450), ("Lemons", 650), ("Limes", 590), ("Tomatoes", 390), ("Cucumbers", 290),
    ("Broccoli", 690), ("Cauliflower", 590), ("Sweet Potatoes", 350), ("Ginger", 690),
    ("Chillies", 990), ("Shallots", 590), ("Brinjal", 450), ("Long Beans", 590),
    ("Loose Prawns", 2490), ("Tiger Prawns", 3890), ("Batang Fillet", 1990),
    ("Pork Belly", 1690), ("Chicken Wings", 890), ("Flower Crabs", 2990), ("Lala Clams", 990),
    ("Beef Slices", 3290), ("Salmon Head", 790),
)
_ORIGINS = (
    "Malaysia", "Indonesia", "Thailand", "Vietnam", "China", "Australia", "New Zealand",
    "Japan", "South Africa", "USA", "Philippines", "Local",
)
_GRADES = ("", "Premium ", "Organic ", "Select ", "Jumbo ", "Fresh ", "Loose ", "Value ")
# fmt: on

# Endings shoppers see on shelf labels, the first three most often.
_ENDINGS = (90, 90, 90, 50, 50, 95, 95, 45, 20, 80, 65, 30)

_HEROES: tuple[tuple[str, str, int, str, bool], ...] = (
    # (category, name, price in cents, tax code, weighed)
    ("Beverages", "Milo 3-in-1 Sachets 18x33g", 895, "SR", False),
    ("Groceries", "Gardenia Enriched White Bread 600g", 295, "SR", False),
    ("Beverages", "Yeo's Chrysanthemum Tea 250ml x6", 450, "SR", False),
    ("Groceries", "Ayam Brand Sardines 155g", 250, "SR", False),
    ("Groceries", "Prima Taste Laksa La Mian 185g", 795, "SR", False),
    ("Beverages", "Milo Activ-Go Chocolate Malt Powder 1kg", 1595, "SR", False),
    ("Beverages", "Nescafé Gold Blend 200g", 1790, "SR", False),
    ("Frozen", "Crème Brûlée Cups 2x100g", 695, "SR", False),
    ("Snacks", "Jalapeño Chips 150g", 350, "SR", False),
    ("Frozen", "Häagen-Dazs Vanilla Ice Cream 473ml", 1490, "SR", False),
    ("Household", "Dynamo Power Gel Detergent 2.7kg", 1790, "SR", False),
    ("Personal Care", "Colgate Total Toothpaste 150g", 590, "SR", False),
    ("Stationery", "Faber-Castell 2B Pencils 12s", 450, "SR", False),
    ("Fresh Produce", "Seng Choon Fresh Eggs 10s", 345, "SR", False),
    ("Fresh Produce", "Bananas (per kg)", 290, "SR", True),
    ("Fresh Produce", "Fuji Apples (per kg)", 590, "SR", True),
    ("Fresh Produce", "Loose Prawns (per kg)", 2490, "SR", True),
    # Investment precious metals are exempt (ES).
    ("Counter Services", "Investment Gold Bar 0.5g", 8490, "ES", False),
    ("Counter Services", "Investment Silver Bar 1oz", 5990, "ES", False),
    # A stored-value top-up is not a supply of goods: out of scope (OS).
    ("Counter Services", "EZ-Link Top-up $10", 1000, "OS", False),
    ("Counter Services", "EZ-Link Top-up $20", 2000, "OS", False),
    # Goods exported by the shop on the customer's behalf are zero-rated (ZR).
    ("Counter Services", "Export Order Carton (zero-rated)", 4500, "ZR", False),
)
_COUNTER = _Range("Counter Services", "CTR", ())
_WEIGHED_PREFIX = "FRS"

Row = tuple[str, str, Decimal, str, bool]  # category, name, price, tax code, weighed


@dataclass(frozen=True)
class DemoCatalogue:
    categories: tuple[CategoryV1, ...]
    products: tuple[ProductV1, ...]
    barcodes: tuple[BarcodeV1, ...]


@dataclass(frozen=True)
class DemoStaffMember:
    """A demo login; the PIN is plain because whoever loads it hashes it first."""

    staff_id: uuid.UUID
    code: str
    display_name: str
    role: Literal["cashier", "supervisor", "manager"]
    pin: str

    def to_wire(self, pin_hash: str, outlet_ids: Sequence[uuid.UUID]) -> StaffV1:
        return StaffV1(
            staff_id=self.staff_id,
            code=self.code,
            display_name=self.display_name,
            role=self.role,
            pin_hash=pin_hash,
            active=True,
            outlet_ids=list(outlet_ids),
        )


DEMO_STAFF: tuple[DemoStaffMember, ...] = (
    DemoStaffMember(
        uuid.UUID("5f0c8a1e-0001-4000-8000-000000000001"), "C01", "Tan Mei Ling", "cashier", "1111"
    ),
    DemoStaffMember(
        uuid.UUID("5f0c8a1e-0002-4000-8000-000000000002"), "C02", "Nur Aisyah", "cashier", "3333"
    ),
    DemoStaffMember(
        uuid.UUID("5f0c8a1e-0003-4000-8000-000000000003"), "S01", "Priya Nair", "supervisor", "2222"
    ),
    DemoStaffMember(
        uuid.UUID("5f0c8a1e-0004-4000-8000-000000000004"), "M01", "Lim Wei Jie", "manager", "9999"
    ),
)


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def demo_outlet(seed: int = 7) -> OutletV1:
    """A GST-registered Orchard Road minimart that rounds cash to the nearest 5 cents."""
    return OutletV1(
        outlet_id=_uuid(random.Random(f"outlet:{seed}")),
        code="ORC",
        name="Orchard Minimart",
        address_lines=["1 Orchard Road, #01-01", "Singapore 238824"],
        gst_reg_no="M90312345A",
        gst_rounding="total",
        cash_rounding="nearest",
        discount_limit_percent=Decimal("10"),
        variance_limit=Decimal("5.00"),
        paynow_uen="201912345K",
        receipt_footer=["Thank you!", "Goods sold are not returnable without receipt."],
        loyalty=demo_loyalty_scheme(seed),
    )


def demo_category_ids(seed: int = 7) -> dict[str, uuid.UUID]:
    """The demo categories' ids by name, as ``demo_catalogue`` mints them."""
    rng = random.Random(seed)
    return {r.name: _uuid(rng) for r in (*_RANGES, _COUNTER)}


def demo_loyalty_scheme(seed: int = 7) -> LoyaltySchemeV1:
    """1 point per dollar, double on fresh produce, none on counter services (top-ups, gold,
    exports: money passing through, not the shop's margin); points lapse after a year. A point
    pays a cent; points pay at most half of a sale, and 5,000 points; members who spent $500
    in the last 12 months earn 1.25 times the points (Silver), $2,000 1.5 times (Gold)."""
    ids = demo_category_ids(seed)
    return LoyaltySchemeV1(
        points_per_dollar=Decimal("1"),
        category_multipliers=[
            CategoryMultiplierV1(category_id=ids["Fresh Produce"], multiplier=Decimal("2"))
        ],
        excluded_categories=[ids["Counter Services"]],
        expiry_days=365,
        point_value=Decimal("0.01"),
        redeem_max_percent=Decimal(50),
        redeem_max_points=5000,
        tiers=[
            TierV1(name="Silver", min_spend=Decimal("500.00"), multiplier=Decimal("1.25")),
            TierV1(name="Gold", min_spend=Decimal("2000.00"), multiplier=Decimal("1.5")),
        ],
    )


def is_valid_ean13(code: str) -> bool:
    return len(code) == 13 and code.isdigit() and ean13_check_digit(code[:12]) == code[12]


# Weighted digit sums of three-digit groups, so 110,000 check digits cost microseconds each.
_W313 = tuple((n // 100) * 3 + (n // 10 % 10) + (n % 10) * 3 for n in range(1000))
_W131 = tuple((n // 100) + (n // 10 % 10) * 3 + (n % 10) for n in range(1000))
_PREFIX_SUM = 8 + 8 * 3 + 8  # "888" in positions 1-3


def _gs1_singapore_ean13(ref: int) -> str:
    """EAN-13 "888" + a 9-digit item reference + check digit (positions 4-12 weigh 3,1,3,…)."""
    total = _PREFIX_SUM + _W313[ref // 1_000_000] + _W131[ref // 1000 % 1000] + _W313[ref % 1000]
    return f"{GS1_SINGAPORE}{ref:09d}{(10 - total % 10) % 10}"


def _shelf_price(rng: random.Random, cents: float, jitter: float) -> Decimal:
    """A shelf price near ``cents`` (± ``jitter``), with a usual ending, within range."""
    draw = rng.random()
    dollars = int(cents * (1 + jitter * (2 * draw - 1)) // 100)
    ending = _ENDINGS[int(draw * 7919) % len(_ENDINGS)]
    return _dollars(min(MAX_PRICE_CENTS, max(MIN_PRICE_CENTS, dollars * 100 + ending)))


@cache
def _dollars(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def demo_catalogue(products: int = 2000, *, seed: int = 7) -> DemoCatalogue:
    """``products`` distinct products (heroes first), one barcode each and ~10% with two."""
    if products < 0:
        raise ValueError("products must not be negative")
    rng = random.Random(seed)
    cat_ids = {r.name: _uuid(rng) for r in (*_RANGES, _COUNTER)}
    categories = tuple(CategoryV1(category_id=cid, name=name) for name, cid in cat_ids.items())
    prefixes = {r.name: r.sku_prefix for r in (*_RANGES, _COUNTER)}

    rows: list[Row] = [
        (cat, name, Decimal(cents).scaleb(-2), tax, weighed)
        for cat, name, cents, tax, weighed in _HEROES[:products]
    ]
    seen = {row[1] for row in rows}
    remaining = products - len(rows)
    weighed = min(remaining, max(0, round(products * WEIGHED_SHARE) - sum(r[4] for r in rows)))
    generated = _weighed(rng, weighed, seen) + _packaged(rng, remaining - weighed, seen)
    rng.shuffle(generated)
    rows += generated

    # j -> (mult*j + offset) mod 10^9 is a bijection (mult is coprime to 10), so every item
    # reference, and so every barcode, is distinct without keeping a set.
    mult = rng.randrange(10**8) * 10 + rng.choice((1, 3, 7, 9))
    offset = rng.randrange(10**9)
    product_models: list[ProductV1] = []
    barcode_models: list[BarcodeV1] = []
    new_id, draw, ean13 = partial(_uuid, rng), rng.random, _gs1_singapore_ean13
    extra = products
    for i, (cat, name, price, tax, is_weighed) in enumerate(rows):
        pid = new_id()
        product_models.append(
            ProductV1(
                product_id=pid,
                sku=f"{_WEIGHED_PREFIX if is_weighed else prefixes[cat]}-{100001 + i}",
                name=name,
                price=price,
                tax_code=tax,  # type: ignore[arg-type]  # from the literal tables above
                category_id=cat_ids[cat],
                weighed=is_weighed,
                active=True,
            )
        )
        barcode_models.append(BarcodeV1(code=ean13((mult * i + offset) % 10**9), product_id=pid))
        if draw() < SECOND_BARCODE_SHARE:
            code = ean13((mult * extra + offset) % 10**9)
            barcode_models.append(BarcodeV1(code=code, product_id=pid))
            extra += 1
    return DemoCatalogue(categories, tuple(product_models), tuple(barcode_models))


def _packaged(rng: random.Random, count: int, seen: set[str]) -> list[Row]:
    """``count`` distinct packaged products drawn without replacement from every aisle."""
    aisles = [(r, a) for r in _RANGES for a in r.aisles]
    starts = list(accumulate((a.space for _, a in aisles), initial=0))
    space = starts.pop()
    if count > space:
        raise ValueError(f"the demo catalogue has at most {space} distinct packaged products")
    sizes = [a.sizes for _, a in aisles]
    brand_factors = [[rng.uniform(0.8, 1.35) for _ in a.brands] for _, a in aisles]
    out: list[Row] = []
    # Slack in case two combinations happen to spell the same name (or a hero's).
    for index in rng.sample(range(space), min(space, count + count // 50 + 20)):
        if len(out) == count:
            break
        n = bisect_right(starts, index) - 1
        r, a = aisles[n]
        rest, b = divmod(index - starts[n], len(a.brands))
        rest, v = divmod(rest, len(a.variants))
        p, s = divmod(rest, len(sizes[n]))
        item, size, base = sizes[n][s]
        pack, pack_factor = a.packs[p]
        variant = a.variants[v]
        name = (
            f"{a.brands[b]} {variant} {item} {size}{pack}"
            if variant
            else (f"{a.brands[b]} {item} {size}{pack}")
        )
        if name in seen:
            continue
        seen.add(name)
        cents = base * brand_factors[n][b] * pack_factor * (1.08 if variant else 1.0)
        out.append((r.name, name, _shelf_price(rng, cents, 0.05), "SR", False))
    if len(out) < count:
        raise ValueError("the demo catalogue ran out of distinct product names")
    return out


def _weighed(rng: random.Random, count: int, seen: set[str]) -> list[Row]:
    """Loose fruit, vegetables, meat and seafood priced per kg."""
    space = len(_PRODUCE) * len(_ORIGINS) * len(_GRADES)
    if count > space:
        raise ValueError(f"the demo catalogue has at most {space} distinct weighed products")
    out: list[Row] = []
    for index in rng.sample(range(space), space):
        if len(out) == count:
            break
        rest, p = divmod(index, len(_PRODUCE))
        g, o = divmod(rest, len(_ORIGINS))
        item, per_kg = _PRODUCE[p]
        name = f"{_GRADES[g]}{item} ({_ORIGINS[o]}) per kg"
        if name in seen:
            continue
        seen.add(name)
        factor = 1.25 if _GRADES[g] in ("Premium ", "Organic ", "Jumbo ") else 1.0
        price = _shelf_price(rng, per_kg * factor, 0.1)
        out.append(("Fresh Produce", name, price, "SR", True))
    return out


def master_change(entity: MasterEntity, key: str, model: WireModel) -> MasterChange:
    """An upsert exactly as a pull page carries it: the model as JSON-ready data."""
    return MasterChange(entity=entity, key=key, op="upsert", data=model.model_dump(mode="json"))


DEMO_VOUCHER_BATCH_ID = uuid.UUID("6f1d2c3e-5a4b-4c7d-9e8f-000000000050")


def demo_voucher_batch() -> VoucherBatchV1:
    """The demo shop's gift vouchers: GV50-000001 to GV50-000100, $50 each, no expiry; the
    same batch at head office (``seed-demo``) and on a demo till (as its pull would bring)."""
    return VoucherBatchV1(
        batch_id=DEMO_VOUCHER_BATCH_ID,
        prefix="GV50",
        count=100,
        face_value=Decimal("50.00"),
        expires_on=None,
        voided=[],
    )


def catalogue_changes(
    cat: DemoCatalogue, outlet: OutletV1, staff: Sequence[StaffV1] = ()
) -> list[MasterChange]:
    """The demo catalogue as the upserts a till's first pull would bring, parents first."""
    changes = [master_change(MasterEntity.OUTLET, str(outlet.outlet_id), outlet)]
    changes += [master_change(MasterEntity.CATEGORY, str(c.category_id), c) for c in cat.categories]
    changes += [master_change(MasterEntity.PRODUCT, str(p.product_id), p) for p in cat.products]
    changes += [master_change(MasterEntity.BARCODE, b.code, b) for b in cat.barcodes]
    changes += [master_change(MasterEntity.STAFF, str(s.staff_id), s) for s in staff]
    return changes

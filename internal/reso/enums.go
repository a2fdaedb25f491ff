package reso

// The enumerations served: RESO Data Dictionary 2.0 values only
// (TestMetadataConformsToDictionary holds them to testdata/dd_lookups.tsv).
// Local values are mapped onto standard ones where they are read.
var (
	enumStandardStatus = newEnum("StandardStatus", []string{
		"Active", "ActiveUnderContract", "Canceled", "Closed", "ComingSoon", "Delete", "Expired", "Hold",
		"Incomplete", "Pending", "Withdrawn",
	})
	enumPropertyType = newEnum("PropertyType", []string{
		"BusinessOpportunity", "CommercialLease", "CommercialSale", "Farm", "Land", "ManufacturedInPark",
		"Residential", "ResidentialIncome", "ResidentialLease",
	})
	enumAppliances = newEnum("Appliances", []string{
		"BarFridge", "BuiltInElectricOven", "BuiltInElectricRange", "BuiltInFreezer", "BuiltInGasOven",
		"BuiltInGasRange", "BuiltInRange", "BuiltInRefrigerator", "ConvectionOven", "Cooktop", "Dishwasher",
		"Disposal", "DoubleOven", "DownDraft", "Dryer", "ElectricCooktop", "ElectricOven", "ElectricRange",
		"ElectricWaterHeater", "EnergyStarQualifiedAppliances", "EnergyStarQualifiedDishwasher",
		"EnergyStarQualifiedDryer", "EnergyStarQualifiedFreezer", "EnergyStarQualifiedRefrigerator",
		"EnergyStarQualifiedWasher", "EnergyStarQualifiedWaterHeater", "ExhaustFan", "FreeStandingElectricOven",
		"FreeStandingElectricRange", "FreeStandingFreezer", "FreeStandingGasOven", "FreeStandingGasRange",
		"FreeStandingRange", "FreeStandingRefrigerator", "Freezer", "GasCooktop", "GasOven", "GasRange",
		"GasWaterHeater", "HeatPumpWaterHeater", "Humidifier", "IceMaker", "IndoorGrill", "InductionCooktop",
		"InstantHotWater", "Microwave", "None", "Other", "Oven", "PlumbedForIceMaker", "PortableDishwasher",
		"PropaneCooktop", "Range", "RangeHood", "Refrigerator", "SelfCleaningOven", "SmartAppliances",
		"SolarHotWater", "StainlessSteelAppliances", "TanklessWaterHeater", "TrashCompactor", "VentedExhaustFan",
		"WarmingDrawer", "Washer", "WasherDryer", "WasherDryerStacked", "WaterHeater", "WaterPurifier",
		"WaterPurifierOwned", "WaterPurifierRented", "WaterSoftener", "WaterSoftenerOwned", "WaterSoftenerRented",
		"WineCooler", "WineRefrigerator",
	})
	enumCooling = newEnum("Cooling", []string{
		"AtticFan", "CeilingFans", "CentralAir", "Dual", "Ductless", "Electric", "EnergyStarQualifiedEquipment",
		"EvaporativeCooling", "ExhaustFan", "Gas", "Geothermal", "HeatPump", "HumidityControl", "MultiUnits", "None",
		"Other", "RoofTurbines", "SeparateMeters", "VariesByUnit", "WallUnits", "WallWindowUnits", "WholeHouseFan",
		"WindowUnits", "Zoned",
	})
	enumHeating = newEnum("Heating", []string{
		"ActiveSolar", "Baseboard", "Ceiling", "Central", "Coal", "CoalStove", "Ductless", "Electric",
		"EnergyStarQualifiedEquipment", "EnergyStarAccaRsiQualifiedInstallation", "ExhaustFan", "FireplaceInsert",
		"Fireplaces", "FloorFurnace", "ForcedAir", "Geothermal", "Gravity", "HeatPump", "HotWater",
		"HumidityControl", "Kerosene", "NaturalGas", "None", "Oil", "Other", "PassiveSolar", "PelletStove",
		"Propane", "PropaneStove", "Radiant", "RadiantCeiling", "RadiantFloor", "SeeRemarks", "SeparateMeters",
		"Solar", "SpaceHeater", "Steam", "VariesByUnit", "WallFurnace", "Wood", "WoodStove", "Zoned",
	})
	enumFlooring = newEnum("Flooring", []string{
		"Adobe", "Bamboo", "Brick", "Carpet", "CeramicTile", "Clay", "Combination", "Concrete", "Cork",
		"CriGreenLabelPlusCertifiedCarpet", "Dirt", "EngineeredHardwood", "FloorScoreCertifiedFlooring",
		"FscOrSfiCertifiedSourceHardwood", "Granite", "Hardwood", "Laminate", "Linoleum", "LuxuryVinyl", "Marble",
		"None", "Other", "PaintedStained", "Parquet", "Pavers", "Plank", "ReclaimedWood", "SeeRemarks",
		"SimulatedWood", "Slate", "Softwood", "Stamped", "Stone", "Sustainable", "Terrazzo", "Tile", "Varies",
		"Vinyl", "Wood",
	})
	enumView = newEnum("View", []string{
		"Bay", "Beach", "Bridges", "Canal", "Canyon", "City", "CityLights", "CreekStream", "Desert", "Downtown",
		"Forest", "Garden", "GolfCourse", "Hills", "Lake", "Marina", "Meadow", "Mountains", "Neighborhood", "None",
		"Ocean", "Orchard", "Other", "Panoramic", "ParkGreenbelt", "Pasture", "Pond", "Pool", "Ridge", "River",
		"Rural", "SeeRemarks", "Skyline", "Territorial", "TreesWoods", "Valley", "Vineyard", "Water",
	})
	enumPoolFeatures = newEnum("PoolFeatures", []string{
		"AboveGround", "Association", "BlackBottom", "Cabana", "Community", "DivingBoard", "ElectricHeat",
		"EnergyStarQualifiedPoolPump", "Fenced", "Fiberglass", "Filtered", "GasHeat", "Gunite", "Heated", "InGround",
		"Indoor", "Infinity", "Lap", "Liner", "None", "Other", "OutdoorPool", "PoolCover", "PoolSweep",
		"PoolSpaCombo", "Private", "SaltWater", "ScreenEnclosure", "SeeRemarks", "SolarCover", "SolarHeat", "Sport",
		"Tile", "Vinyl", "Waterfall",
	})
	enumMemberStatus = newEnum("MemberStatus", []string{
		"Active", "Inactive",
	})
	enumOfficeStatus = newEnum("OfficeStatus", []string{
		"Active", "Inactive",
	})
	enumOpenHouseType = newEnum("OpenHouseType", []string{
		"Broker", "LivestreamBroker", "LivestreamPublic", "Office", "Public",
	})
	enumOpenHouseStatus = newEnum("OpenHouseStatus", []string{
		"Active", "Canceled", "Ended",
	})
	enumMediaCategory = newEnum("MediaCategory", []string{
		"AgentPhoto", "BrandedVirtualTour", "Document", "FloorPlan", "OfficeLogo", "OfficePhoto", "Photo",
		"UnbrandedVirtualTour", "Video",
	})

	// standardPropertySubTypes are the Dictionary's PropertySubType values:
	// realty keeps the field as free text, and the Lookup set says which
	// values in use are standard ones.
	standardPropertySubTypes = []string{
		"Agriculture", "Apartment", "BoatSlip", "Business", "Cabin", "Condominium", "CoOwnership", "DeededParking", "Duplex",
		"Farm", "HotelMotel", "Industrial", "ManufacturedHome", "ManufacturedOnLand", "MixedUse", "MobileHome",
		"MobileHomePark", "MultiFamily", "Office", "OwnYourOwn", "Quadruplex", "Ranch", "Retail", "SingleFamilyResidence",
		"StockCooperative", "TenancyInCommon", "Timeshare", "Townhouse", "Triplex", "UnimprovedLand", "Warehouse",
	}
)

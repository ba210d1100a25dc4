package server

// allCommands is the one place where command groups are registered: every
// data-type or subsystem file contributes a function returning its table.
func allCommands() [][]*Command {
	return [][]*Command{
		connectionCommands(),
		serverCommands(),
		stringCommands(),
		keyCommands(),
		streamCommands(),
		scriptingCommands(),
		functionCommands(),
		bitmapCommands(),
		hllCommands(),
		pubsubCommands(),
		introspectionCommands(),
		hashCommands(),
		setCommands(),
		listCommands(),
		zsetCommands(),
		geoCommands(),
		sortCommands(),
		persistCommands(),
		{configCommand(), clientCommand(), commandCommand()},
	}
}
